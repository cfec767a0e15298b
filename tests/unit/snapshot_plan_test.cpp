// The pure parts of the snapshot method: config → options, where the datadir lies inside the
// snapshotted volume, and the layouts it must refuse.

#include "dbkeep/source/mysql/snapshot_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "support/temp_dir.hpp"

namespace dbkeep::source::mysql {
namespace {
namespace fs = std::filesystem;

ServerFacts facts_with_datadir(const fs::path& datadir) {
  ServerFacts facts;
  facts.datadir = datadir;
  facts.innodb_data_home_dir = datadir;
  facts.innodb_log_group_home_dir = datadir;
  facts.innodb_undo_directory = datadir;
  return facts;
}

TEST(SnapshotPlanTest, FindsTheDatadirBelowTheVolumeRoot) {
  auto location =
      locate_datadir(facts_with_datadir("/srv/mysql/data/"), {"/srv/mysql"}, "/var/backups/dbkeep");
  ASSERT_TRUE(location) << location.error().message;
  EXPECT_EQ(location->volume_index, 0U);
  EXPECT_EQ(location->relative, "data");
}

TEST(SnapshotPlanTest, DatadirAtTheVolumeRootNeedsNoRelativePath) {
  auto location = locate_datadir(facts_with_datadir("/var/lib/mysql/"),
                                 {"/srv/other", "/var/lib/mysql"}, "/var/backups/dbkeep");
  ASSERT_TRUE(location) << location.error().message;
  EXPECT_EQ(location->volume_index, 1U);
  EXPECT_EQ(location->relative, ".");
}

TEST(SnapshotPlanTest, RefusesADatadirOffTheVolume) {
  auto location = locate_datadir(facts_with_datadir("/var/lib/mysql"), {"/srv/mysql"}, "/backup");
  ASSERT_FALSE(location);
  EXPECT_EQ(location.error().kind, ErrorKind::kUsage);
  EXPECT_NE(location.error().message.find("/var/lib/mysql is not on the snapshotted volume"),
            std::string::npos)
      << location.error().message;
}

TEST(SnapshotPlanTest, RefusesARedoLogOutsideTheVolume) {
  auto facts = facts_with_datadir("/srv/mysql/data");
  facts.innodb_log_group_home_dir = "/fast/redo";
  auto location = locate_datadir(facts, {"/srv/mysql"}, "/backup");
  ASSERT_FALSE(location);
  EXPECT_NE(location.error().message.find("/fast/redo is outside the snapshotted volume"),
            std::string::npos)
      << location.error().message;
}

TEST(SnapshotPlanTest, RefusesAnUndoDirectoryOutsideTheDatadir) {
  auto facts = facts_with_datadir("/srv/mysql/data");
  facts.innodb_undo_directory = "/srv/mysql/undo";
  auto location = locate_datadir(facts, {"/srv/mysql"}, "/backup");
  ASSERT_FALSE(location);
  EXPECT_NE(location.error().message.find("/srv/mysql/undo is outside the datadir"),
            std::string::npos)
      << location.error().message;
}

TEST(SnapshotPlanTest, RefusesARepositoryOnTheSnapshottedVolume) {
  auto location =
      locate_datadir(facts_with_datadir("/srv/mysql/data"), {"/srv/mysql"}, "/srv/mysql/backups");
  ASSERT_FALSE(location);
  EXPECT_NE(location.error().message.find("lies on the snapshotted volume"), std::string::npos)
      << location.error().message;
  // A sibling whose name merely starts the same is not on the volume.
  EXPECT_TRUE(
      locate_datadir(facts_with_datadir("/srv/mysql/data"), {"/srv/mysql"}, "/srv/mysql-backups"));
}

TEST(SnapshotPlanTest, SnapshotNamesAreSafe) {
  EXPECT_EQ(snapshot_name("main", "20261122T003000Z"), "dbkeep_main_20261122T003000Z");
  EXPECT_EQ(snapshot_name("my set/x", "1"), "dbkeep_my_set_x_1");
}

TEST(SnapshotPlanTest, MapsLockSettings) {
  core::MysqlConfig config;
  config.lock = LockMode::kBackupStage;
  config.lock_wait_timeout_s = 7;
  config.lock_attempts = 4;
  config.watchdog_ms = 250;
  config.long_query_seconds = 30;
  config.long_query_action = LongQueryAction::kKill;
  auto options = quiesce_options(config);
  ASSERT_TRUE(options);
  EXPECT_EQ(options->lock_mode, LockMode::kBackupStage);
  EXPECT_EQ(options->lock_wait_timeout, std::chrono::seconds(7));
  EXPECT_EQ(options->lock_attempts, 4);
  EXPECT_EQ(options->watchdog, std::chrono::milliseconds(250));
  EXPECT_EQ(options->long_query_threshold, std::chrono::seconds(30));
  EXPECT_EQ(options->long_query_action, LongQueryAction::kKill);
}

TEST(SnapshotPlanTest, ListsFilesAndDirectoriesRelativeToTheDatadirCopy) {
  auto scratch = test::make_temp_dir();
  const fs::path root = scratch.path() / "snapshots" / "dbkeep_main_1" / "data";
  fs::create_directories(root / "bank");
  fs::create_directories(root / "empty_db");
  std::ofstream(root / "ibdata1") << "x";
  std::ofstream(root / "bank" / "t.ibd") << "yy";
  fs::create_symlink("/etc/passwd", root / "link");
  auto listing = list_datadir(root);
  ASSERT_TRUE(listing) << listing.error().message;
  std::vector<std::string> paths;
  for (const auto& file : listing->files) paths.push_back(file.path);
  std::ranges::sort(paths);
  EXPECT_EQ(paths, (std::vector<std::string>{"bank/t.ibd", "ibdata1"}));
  EXPECT_EQ(listing->directories, (std::vector<std::string>{"bank", "empty_db"}));
}

TEST(SnapshotConfigTest, ParsesLockSnapshotAndRestoreKeys) {
  auto config = core::parse_config(R"([repository]
path = "/backups"
[[set]]
name = "main"
source = "mysql"
method = "snapshot"
[set.mysql]
socket = "/run/mysqld/mysqld.sock"
lock = "backup_stage"
lock_wait_timeout = 2
lock_attempts = 5
watchdog_ms = 800
long_query_seconds = 10
kill_long_queries = true
[set.snapshot]
provider = "lvm"
volume = "/dev/vg/lv"
mount_point = "/mnt/snap"
fill_limit = 80
mount_options = "ro,nouuid"
[set.restore]
owner = "mariadb"
)",
                                   "dbkeep.toml", {});
  ASSERT_TRUE(config) << config.error().message;
  const auto& set = config->sets.front();
  EXPECT_EQ(set.mysql->lock, LockMode::kBackupStage);
  EXPECT_EQ(set.mysql->lock_wait_timeout_s, 2);
  EXPECT_EQ(set.mysql->lock_attempts, 5);
  EXPECT_EQ(set.mysql->watchdog_ms, 800);
  EXPECT_EQ(set.mysql->long_query_seconds, 10);
  EXPECT_EQ(set.mysql->long_query_action, LongQueryAction::kKill);
  EXPECT_EQ(set.snapshot->fill_limit_percent, 80);
  EXPECT_EQ(set.snapshot->mount_options, "ro,nouuid");
  EXPECT_EQ(set.restore.owner.text(), "mariadb");
}

TEST(SnapshotConfigTest, RejectsUnknownLockModesAndContradictions) {
  const std::string head = R"([repository]
path = "/backups"
[[set]]
name = "main"
source = "mysql"
method = "snapshot"
[set.snapshot]
provider = "btrfs"
volume = "/srv/mysql"
mount_point = "/srv/snapshots"
[set.mysql]
)";
  auto bad_lock = core::parse_config(head + "lock = \"table\"\n", "dbkeep.toml", {});
  ASSERT_FALSE(bad_lock);
  EXPECT_NE(bad_lock.error().message.find("must be ftwrl or backup_stage"), std::string::npos);
  auto contradiction = core::parse_config(
      head + "long_query_action = \"fail\"\nkill_long_queries = true\n", "dbkeep.toml", {});
  ASSERT_FALSE(contradiction);
  EXPECT_NE(contradiction.error().message.find("contradicts"), std::string::npos);
}

}  // namespace
}  // namespace dbkeep::source::mysql
