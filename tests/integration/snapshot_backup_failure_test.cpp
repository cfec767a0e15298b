// The snapshot method's failure paths against a real server on a real btrfs volume, through the
// real dbkeep binary: bad credentials, a missing socket, a long UPDATE holding up the global
// lock, and dbkeep killed with SIGKILL while it holds the lock. After each, the server is not
// stalled, no snapshot is left (or the next run removes it) and no backup is listed.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "support/blocking_query.hpp"
#include "support/holding_stand_in.hpp"
#include "support/snapshot_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

class SnapshotBackupFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << "snapshot failure tests skipped: " << reason;
    }
    auto workspace = SnapshotWorkspace::create();
    ASSERT_TRUE(workspace) << workspace.error().message;
    workspace_ = std::move(*workspace);
    workspace_->server().execute("CREATE DATABASE app");
    workspace_->server().execute("CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
    workspace_->server().execute("INSERT INTO app.t (v) VALUES (0)");
  }

  // An INSERT from another session succeeds within a short lock wait: nothing is stalled.
  void expect_server_writable() {
    auto writer = workspace_->server().connect_root();
    ASSERT_TRUE(writer) << writer.error().message;
    ASSERT_TRUE(writer->execute("SET SESSION lock_wait_timeout = 5"));
    auto inserted = writer->execute("INSERT INTO app.t (v) VALUES (1)");
    EXPECT_TRUE(inserted) << "server stalled: " << inserted.error().message;
  }

  void expect_no_backup_and_no_snapshot() {
    auto listing = workspace_->dbkeep_json({"list"});
    EXPECT_TRUE(listing["backups"].empty()) << listing.dump();
    EXPECT_TRUE(fs::is_empty(workspace_->snapshot_dir()));
  }

  std::unique_ptr<SnapshotWorkspace> workspace_;
};

TEST_F(SnapshotBackupFailureTest, WrongPasswordFailsClearlyAndNeverShowsThePassword) {
  workspace_->server().create_user("backup", "right-password");
  const fs::path password_file = workspace_->dir() / "mysql.pw";
  std::ofstream(password_file) << "wrong-password-7311\n";
  ::chmod(password_file.c_str(), 0600);
  workspace_->write_config("", "password_file = \"" + password_file.string() + "\"\n");

  auto run = workspace_->dbkeep({"backup"}, {{"DBKEEP_SET_MAIN_MYSQL_USER", "backup"}});
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "access denied for user 'backup'")) << run.stderr_text;
  EXPECT_FALSE(contains(run.stderr_text + run.stdout_text, "wrong-password-7311"));
  EXPECT_FALSE(contains(read_file(workspace_->dir() / "dbkeep.log"), "wrong-password-7311"));
  expect_no_backup_and_no_snapshot();
}

TEST_F(SnapshotBackupFailureTest, MissingSocketIsNamed) {
  workspace_->write_config();
  auto run = workspace_->dbkeep(
      {"backup"}, {{"DBKEEP_SET_MAIN_MYSQL_SOCKET", "/nonexistent/dbkeep-test/mysqld.sock"}});
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "/nonexistent/dbkeep-test/mysqld.sock")) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "is the server running")) << run.stderr_text;
  expect_no_backup_and_no_snapshot();
}

// A mount point that does not exist yet: check-config says it will be created, and the backup
// creates it (0700, in the log) before the global lock rather than finding it missing under it.
TEST_F(SnapshotBackupFailureTest, MissingMountPointIsCreatedBeforeTheLock) {
  workspace_->write_config();
  const fs::path mount_point = workspace_->volume().mount_dir() / "new" / "snapshots";
  const std::map<std::string, std::string> env = {
      {"DBKEEP_SET_MAIN_SNAPSHOT_MOUNT_POINT", mount_point.string()}};
  auto check = workspace_->dbkeep({"check-config"}, env);
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;
  EXPECT_TRUE(contains(check.stdout_text, "mount point " + mount_point.string() +
                                              " does not exist; it will be created"))
      << check.stdout_text;
  EXPECT_FALSE(fs::exists(mount_point)) << "check-config changes nothing";

  auto backup = workspace_->dbkeep({"backup"}, env);
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
  EXPECT_TRUE(contains(read_file(workspace_->dir() / "dbkeep.log"),
                       "created snapshot mount point " + mount_point.string() + " (mode 0700)"));
  struct stat info {};
  ASSERT_EQ(::stat(mount_point.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);
  EXPECT_TRUE(fs::is_empty(mount_point)) << "the snapshot was not removed";
}

// A mount point that cannot be created (its parent is a file) is a configuration problem that
// check-config reports and the backup refuses before it takes the global lock.
TEST_F(SnapshotBackupFailureTest, MountPointThatCannotBeCreatedIsRefusedBeforeTheLock) {
  workspace_->write_config();
  const fs::path file = workspace_->volume().mount_dir() / "a-file";
  std::ofstream(file) << "not a directory\n";
  const fs::path mount_point = file / "snapshots";
  const std::map<std::string, std::string> env = {
      {"DBKEEP_SET_MAIN_SNAPSHOT_MOUNT_POINT", mount_point.string()}};
  auto check = workspace_->dbkeep({"check-config"}, env);
  EXPECT_EQ(check.exit_code, 2) << check.stdout_text << check.stderr_text;
  EXPECT_TRUE(contains(check.stdout_text, file.string() + " is not a directory"))
      << check.stdout_text;

  auto backup = workspace_->dbkeep({"backup"}, env);
  EXPECT_EQ(backup.exit_code, 2) << backup.stderr_text;
  EXPECT_TRUE(contains(backup.stderr_text, mount_point.string())) << backup.stderr_text;
  EXPECT_FALSE(contains(read_file(workspace_->dir() / "dbkeep.log"), "global lock ("))
      << "the global lock was taken for a backup that could not succeed";
  expect_server_writable();
  expect_no_backup_and_no_snapshot();
}

// A post_lock hook whose program does not exist would fail with the snapshot already taken
// under the lock; it is found before anything runs, and check-config names it.
TEST_F(SnapshotBackupFailureTest, MissingHookProgramIsFoundBeforeTheLock) {
  workspace_->write_config("", "", "[set.hooks]\npost_lock = [\"/nonexistent/dbkeep-hook\"]\n");
  auto check = workspace_->dbkeep({"check-config"});
  EXPECT_EQ(check.exit_code, 2) << check.stdout_text;
  EXPECT_TRUE(contains(check.stdout_text, "post_lock: program /nonexistent/dbkeep-hook not found"))
      << check.stdout_text;
  auto backup = workspace_->dbkeep({"backup"});
  EXPECT_EQ(backup.exit_code, 2) << backup.stderr_text;
  EXPECT_TRUE(contains(backup.stderr_text, "/nonexistent/dbkeep-hook")) << backup.stderr_text;
  EXPECT_FALSE(contains(read_file(workspace_->dir() / "dbkeep.log"), "global lock ("))
      << "the global lock was taken for a backup that could not succeed";
  expect_no_backup_and_no_snapshot();
}

TEST_F(SnapshotBackupFailureTest, LongUpdateHoldingUpTheLockAbortsWithoutStallingTheServer) {
  auto blocker =
      BlockingQuery::start(workspace_->server(), "UPDATE app.t SET v = v + SLEEP(30) WHERE id = 1");
  ASSERT_TRUE(blocker) << blocker.error().message;

  // First as configured for "fail": the long query is named before any lock is tried.
  std::this_thread::sleep_for(milliseconds(1100));
  workspace_->write_config("", "long_query_seconds = 1\nlong_query_action = \"fail\"\n");
  auto listed = workspace_->dbkeep({"backup"});
  EXPECT_EQ(listed.exit_code, 1);
  EXPECT_TRUE(contains(listed.stderr_text, "id " + std::to_string((*blocker)->thread_id())))
      << listed.stderr_text;
  EXPECT_TRUE(contains(listed.stderr_text, "SLEEP(30)")) << listed.stderr_text;

  // Then with the check off: FTWRL waits behind the UPDATE until the watchdog kills it.
  workspace_->write_config("",
                           "long_query_seconds = 0\nlock_wait_timeout = 1\nlock_attempts = 2\n"
                           "watchdog_ms = 500\n");
  auto timed_out = workspace_->dbkeep({"backup"});
  EXPECT_EQ(timed_out.exit_code, 1);
  EXPECT_TRUE(contains(timed_out.stderr_text, "could not take the global lock"))
      << timed_out.stderr_text;
  EXPECT_TRUE(contains(timed_out.stderr_text, "nothing is locked")) << timed_out.stderr_text;
  expect_server_writable();
  expect_no_backup_and_no_snapshot();
}

// dbkeep killed with SIGKILL between snapshot and UNLOCK: a stand-in `btrfs` (first in PATH)
// takes the real snapshot, then waits, so dbkeep is caught holding the global lock.
TEST_F(SnapshotBackupFailureTest, KilledWhileHoldingTheLockTheLockDiesAndTheNextRunCleansUp) {
  workspace_->write_config();
  const fs::path bin = workspace_->dir() / "bin";
  const fs::path taken = workspace_->dir() / "snapshot-taken";
  const fs::path release = workspace_->dir() / "release";
  write_holding_stand_in(bin, "btrfs", "[ \"$1\" = subvolume ] && [ \"$2\" = snapshot ]", taken,
                         release);

  core::SpawnOptions spawn;
  spawn.argv = {DBKEEP_BINARY, "--config", workspace_->config().string(), "backup"};
  spawn.extra_env = {{"PATH", bin.string() + ":" + std::string(std::getenv("PATH"))}};
  auto dbkeep = core::ChildProcess::spawn(spawn);
  ASSERT_TRUE(dbkeep) << dbkeep.error().message;
  for (int i = 0; i < 600 && !fs::exists(taken); ++i)
    std::this_thread::sleep_for(milliseconds(100));
  ASSERT_TRUE(fs::exists(taken)) << "dbkeep never took the snapshot";

  {  // The lock is held right now: a write waits and times out.
    auto writer = workspace_->server().connect_root();
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->execute("SET SESSION lock_wait_timeout = 1"));
    EXPECT_FALSE(writer->execute("INSERT INTO app.t (v) VALUES (2)")) << "lock not held?";
  }
  ASSERT_EQ(::kill(dbkeep->pid(), SIGKILL), 0);
  ASSERT_TRUE(dbkeep->wait());
  std::ofstream(release) << "go\n";

  expect_server_writable();  // the lock died with dbkeep's connection
  EXPECT_FALSE(fs::is_empty(workspace_->snapshot_dir())) << "the killed run's snapshot remains";

  auto next = workspace_->dbkeep({"backup"});
  EXPECT_EQ(next.exit_code, 0) << next.stderr_text;
  EXPECT_TRUE(contains(next.stderr_text, "left by an earlier run")) << next.stderr_text;
  EXPECT_TRUE(fs::is_empty(workspace_->snapshot_dir())) << "stale snapshot not removed";
  auto listing = workspace_->dbkeep_json({"list"});
  EXPECT_EQ(listing["backups"].size(), 1U) << listing.dump();
}

}  // namespace
}  // namespace dbkeep::test
