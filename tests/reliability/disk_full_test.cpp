// Disk full, at the repository and at the temp area (small tmpfs mounts): a clean failure
// (exit 1) naming the place, nothing listed, nothing left behind, the lock released.

#include <gtest/gtest.h>
#include <unistd.h>

#include "leftovers.hpp"
#include "reliability_summary.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/temp_dir.hpp"
#include "support/tmpfs_mount.hpp"

namespace dbkeep::test::reliability {
namespace {

namespace fs = std::filesystem;

void expect_failed_cleanly(const SqliteWorkspace& workspace, const DbkeepRun& run,
                           const std::string& message, std::size_t listed_before) {
  counters().runs++;
  counters().faults_injected++;
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find(message), std::string::npos) << run.stderr_text;
  auto ids = workspace.listed_ids();
  EXPECT_EQ(ids.size(), listed_before) << "a failed backup is listed";
  LeftoverPlaces places{workspace.repository(),    "app", ids, workspace.temp(),
                        workspace.dir() / "state", {},    {}};
  for (const auto& leftover : find_leftovers(places)) {
    ADD_FAILURE() << leftover;
    counters().leftovers_found++;
  }
  auto again = workspace.dbkeep({"backup"});  // the lock was released: not exit 4
  counters().runs++;
  EXPECT_NE(again.exit_code, 4) << again.stderr_text;
}

TEST(DiskFullTest, TempAreaTooSmallIsRefusedUpFront) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  SqliteWorkspace workspace;
  TmpfsMount tmpfs(workspace.temp(), "4m");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  workspace.fill(300, 40000, /*wal=*/false);  // ≈ 12 MB
  expect_failed_cleanly(workspace, workspace.dbkeep({"backup"}),
                        "not enough free space in the temporary directory", 0);
}

// The estimate passes (the last backup compressed well), then the repository fills while
// storing incompressible data.
TEST(DiskFullTest, RepositoryFillingUpMidwayLeavesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  const auto mount_point = make_temp_dir("dbkeep-rel-repo-");
  const auto& mount = mount_point.path();
  TmpfsMount tmpfs(mount, "24m");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  SqliteWorkspace workspace("", mount / "repo");
  workspace.sql("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)");
  workspace.sql(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
      "INSERT INTO t (payload) SELECT zeroblob(50000) FROM n");
  ASSERT_EQ(workspace.dbkeep({"backup"}).exit_code, 0);
  counters().runs++;
  workspace.sql(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 700) "
      "INSERT INTO t (payload) SELECT randomblob(50000) FROM n");
  expect_failed_cleanly(workspace, workspace.dbkeep({"backup"}), "No space left on device", 1);
  fs::remove_all(mount / "repo");
}

}  // namespace
}  // namespace dbkeep::test::reliability
