// `backup --dry-run` and `daemon --dry-run` through the real binary: the plan names the source,
// the lock, the snapshot commands, hooks, space and what the prune would delete, and the run
// changes nothing — the repository and state directory are byte-for-byte as before, no snapshot
// exists and the server never ran FLUSH TABLES.

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "support/snapshot_workspace.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;

// Every path below `root` with its size and modification time.
std::map<std::string, std::string> tree(const fs::path& root) {
  std::map<std::string, std::string> entries;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root, error);
       it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::string facts = std::to_string(it->last_write_time(error).time_since_epoch().count());
    if (it->is_regular_file(error)) facts += " " + std::to_string(it->file_size(error));
    entries[fs::relative(it->path(), root).string()] = facts;
  }
  return entries;
}

TEST(DryRunTest, SqlitePlanNamesWhatThePruneWouldDeleteAndWritesNothing) {
  SqliteWorkspace workspace(
      "retries = 1\n[set.retention]\nkeep_last = 1\n[set.hooks]\n"
      "pre_backup = ['true']\n");
  workspace.fill(20, 100, true);
  auto first = workspace.dbkeep_json({"backup"});
  ASSERT_EQ(first["backups"].size(), 1U);
  const std::string old_id = first["backups"][0]["id"];
  std::ofstream(workspace.config(), std::ios::app) << "[daemon]\nrun_at_start = true\n";
  const auto before = tree(workspace.repository());

  auto plan = workspace.dbkeep({"backup", "--dry-run"});
  EXPECT_EQ(plan.exit_code, 0) << plan.stderr_text;
  for (const std::string& expected :
       {std::string("dry run: nothing is locked"), workspace.database().string(),
        std::string("pre_backup: true"), std::string("would delete " + old_id),
        std::string("retries    1, 5 min")}) {
    EXPECT_TRUE(contains(plan.stdout_text, expected)) << expected << "\n" << plan.stdout_text;
  }
  auto json = workspace.dbkeep_json({"backup", "--dry-run"});
  EXPECT_EQ(json["dry_run"], true);
  EXPECT_EQ(json["sets"][0]["would_succeed"], true);

  auto daemon = workspace.dbkeep({"daemon", "--dry-run"});
  EXPECT_EQ(daemon.exit_code, 0) << daemon.stderr_text;
  EXPECT_TRUE(contains(daemon.stdout_text, "next run now")) << daemon.stdout_text;
  EXPECT_TRUE(contains(daemon.stdout_text, "would delete " + old_id)) << daemon.stdout_text;

  EXPECT_EQ(tree(workspace.repository()), before) << "a dry run must not write anything";
  EXPECT_EQ(workspace.listed_ids(), std::vector<std::string>{old_id});
}

TEST(DryRunTest, SnapshotPlanShowsTheCommandsWithoutLockingOrSnapshotting) {
  if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << "snapshot test skipped: " << reason;
  }
  auto workspace = SnapshotWorkspace::create();
  ASSERT_TRUE(workspace) << workspace.error().message;
  (*workspace)->write_config();
  auto flushes = [&] {
    return (*workspace)
        ->server()
        .query_value(
            "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
            "WHERE VARIABLE_NAME = 'COM_FLUSH'");
  };
  const auto flushes_before = flushes();

  auto plan = (*workspace)->dbkeep({"backup", "--dry-run"});
  EXPECT_EQ(plan.exit_code, 0) << plan.stdout_text << plan.stderr_text;
  EXPECT_TRUE(contains(plan.stdout_text, "FLUSH TABLES WITH READ LOCK")) << plan.stdout_text;
  EXPECT_TRUE(contains(plan.stdout_text, "btrfs subvolume snapshot -r " +
                                             (*workspace)->volume().subvolume().string()))
      << plan.stdout_text;
  EXPECT_TRUE(contains(plan.stdout_text, "datadir " + (*workspace)->server().datadir().string()))
      << plan.stdout_text;

  EXPECT_EQ(flushes(), flushes_before) << "the dry run must not lock the server";
  EXPECT_TRUE(fs::is_empty((*workspace)->snapshot_dir()));
  EXPECT_TRUE((*workspace)->listed_ids().empty());

  // What would fail says so, and the exit status says it too.
  (*workspace)->write_config("", "datadir = \"" + (*workspace)->dir().string() + "\"\n");
  auto failing = (*workspace)->dbkeep({"backup", "--dry-run"});
  EXPECT_EQ(failing.exit_code, 1);
  EXPECT_TRUE(contains(failing.stdout_text, "WOULD FAIL")) << failing.stdout_text;
  EXPECT_TRUE(contains(failing.stdout_text, "does not hold this server's files"))
      << failing.stdout_text;
}

}  // namespace
}  // namespace dbkeep::test
