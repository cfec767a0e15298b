// Restore plans (restore/restore_plan.hpp) through the dbkeep binary: --dry-run prints what a
// restore fetches, writes and needs, and writes nothing; a restore that does not fit is refused
// with both numbers before it writes or moves anything aside (a tmpfs is the small disk).

#include <gtest/gtest.h>

#include <fstream>

#include "support/mariadb_test_suite.hpp"
#include "support/physical_workspace.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"
#include "support/tmpfs_mount.hpp"

namespace dbkeep::test {
namespace {

namespace fs = std::filesystem;

std::size_t entries_in(const fs::path& directory) {
  std::size_t count = 0;
  std::error_code error;
  for (auto it = fs::directory_iterator(directory, error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    ++count;
  }
  return count;
}

TEST(RestorePlanTest, ASqliteRestoreThatDoesNotFitIsRefusedWithBothNumbers) {
  SqliteWorkspace workspace;
  workspace.fill(400, 8000, true);  // about 3.2 MB
  auto backup = workspace.dbkeep_json({"backup"});
  const std::string id = backup["backups"][0]["id"];
  TmpfsMount small_disk(workspace.dir() / "small", "1m");
  if (!small_disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  const auto target = workspace.dir() / "small" / "app.db";

  auto plan = workspace.dbkeep_json({"restore", id, "--sqlite-path", target.string(), "--dry-run"});
  EXPECT_EQ(plan["dry_run"], true);
  EXPECT_EQ(plan["restore"]["fits"], false) << plan.dump(2);
  EXPECT_GT(plan["restore"]["needed_bytes"].get<std::uint64_t>(),
            plan["restore"]["free_bytes"].get<std::uint64_t>());
  EXPECT_EQ(plan["restore"]["objects"], 1);
  auto text = workspace.dbkeep({"restore", id, "--sqlite-path", target.string(), "--dry-run"});
  EXPECT_EQ(text.exit_code, 0) << text.stderr_text;
  EXPECT_TRUE(contains(text.stdout_text, "DOES NOT FIT")) << text.stdout_text;
  EXPECT_TRUE(contains(text.stdout_text, "nothing was written")) << text.stdout_text;
  EXPECT_EQ(entries_in(target.parent_path()), 0U);

  auto refused = workspace.dbkeep({"restore", id, "--sqlite-path", target.string()});
  EXPECT_EQ(refused.exit_code, 1) << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, "not enough free space")) << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, "bytes) are free; nothing was written"))
      << refused.stderr_text;
  EXPECT_EQ(entries_in(target.parent_path()), 0U) << "a refused restore left files behind";
}

TEST(RestorePlanTest, TheDryRunNamesWhatForceWouldMoveAsideAndMovesNothing) {
  SqliteWorkspace workspace;
  workspace.fill(20, 1000, true);
  auto backup = workspace.dbkeep_json({"backup"});
  const std::string id = backup["backups"][0]["id"];
  const auto target = workspace.dir() / "existing.db";
  std::ofstream(target) << "the file an operator would want kept";

  auto plan = workspace.dbkeep_json(
      {"restore", id, "--sqlite-path", target.string(), "--force", "--dry-run"});
  ASSERT_TRUE(plan["restore"]["moves_aside"].is_string()) << plan.dump(2);
  EXPECT_TRUE(contains(plan["restore"]["moves_aside"].get<std::string>(), ".before-restore-"));
  EXPECT_EQ(plan["restore"]["fits"], true);
  EXPECT_EQ(read_file(target), "the file an operator would want kept");

  auto without_force =
      workspace.dbkeep_json({"restore", id, "--sqlite-path", target.string(), "--dry-run"});
  EXPECT_TRUE(without_force["restore"]["moves_aside"].is_null());
  EXPECT_TRUE(contains(without_force["restore"]["notes"].dump(), "refuses it")) << without_force;
}

class PhysicalRestorePlanTest : public MariaDbTestSuite {};

// A datadir restore with --force used to move the old datadir aside before it found out that
// the backup did not fit; the plan refuses first, so the old datadir stays where it was.
TEST_F(PhysicalRestorePlanTest, ADatadirThatDoesNotFitIsNotMovedAside) {
  PhysicalWorkspace workspace(server());
  auto backup = workspace.dbkeep_json({"backup"});
  const std::string id = backup["backups"][0]["id"];
  TmpfsMount small_disk(workspace.dir() / "small", "4m");
  if (!small_disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  const auto datadir = workspace.dir() / "small" / "data";
  fs::create_directories(datadir);
  std::ofstream(datadir / "keep-me") << "old datadir";

  auto plan =
      workspace.dbkeep_json({"restore", id, "--datadir", datadir.string(), "--force", "--dry-run"});
  EXPECT_EQ(plan["restore"]["fits"], false) << plan.dump(2);
  EXPECT_EQ(plan["restore"]["chain"].size(), 1U);
  EXPECT_TRUE(plan["restore"]["moves_aside"].is_string()) << plan.dump(2);

  auto refused = workspace.dbkeep({"restore", id, "--datadir", datadir.string(), "--force"});
  EXPECT_EQ(refused.exit_code, 1) << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, "not enough free space")) << refused.stderr_text;
  EXPECT_EQ(read_file(datadir / "keep-me"), "old datadir");
  EXPECT_EQ(entries_in(datadir.parent_path()), 1U) << "something was moved aside or left behind";
}

}  // namespace
}  // namespace dbkeep::test
