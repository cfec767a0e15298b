// The snapshot source driving a ZFS snapshot against a real MariaDB, with the zfs commands
// replayed through a RecordingCommandRunner (no ZFS here); see
// support/snapshot_source_harness.hpp. The snapshot is "read" through
// <mountpoint>/.zfs/snapshot/NAME, which each test makes a symlink to the live filesystem.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/source/mysql/snapshot_plan.hpp"
#include "support/snapshot_source_harness.hpp"

namespace dbkeep::source::mysql {
namespace {
namespace fs = std::filesystem;
using test::failed;
using test::ok;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SnapshotSourceZfsTest : public test::SnapshotSourceHarness {
 protected:
  void SetUp() override {
    SnapshotSourceHarness::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    runner_->on({"zfs", "get", "-H", "-o", "value", "mountpoint", "tank/mysql"})
        .always(ok(live_root_.string() + "\n"));
    runner_->on({"zfs", "get", "-H", "-o", "value", "mountpoint", "tank/binlog"})
        .always(ok(binlog_root().string() + "\n"));
    runner_->on({"zfs", "snapshot"});
    runner_->on({"zfs", "destroy"});
    fs::create_directories(binlog_root());
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(live_root_ / ".zfs", ignored);  // holds only the symlink
  }

  fs::path binlog_root() const { return scratch_.path() / "binlog"; }

  SnapshotSourceSettings settings() const override {
    auto settings = base_settings();
    settings.snapshot.provider = core::SnapshotProvider::kZfs;
    settings.snapshot.volumes = volumes_;
    settings.snapshot.recursive = recursive_;
    settings.snapshot.mount_point = scratch_.path() / "unused";
    return settings;
  }

  // Runs a backup with .zfs/snapshot/NAME in place; `name_` is the snapshot's name.
  Result<void> backup(nlohmann::json* facts = nullptr, StageHook stage_hook = {}) {
    return run_backup(
        facts,
        [&](const std::string& id) {
          name_ = snapshot_name("main", id);
          fs::create_directories(live_root_ / ".zfs" / "snapshot");
          fs::create_directory_symlink(live_root_, live_root_ / ".zfs" / "snapshot" / name_);
        },
        std::move(stage_hook));
  }

  std::vector<std::string> volumes_ = {"tank/mysql"};
  bool recursive_ = false;
  std::string name_;
};

TEST_F(SnapshotSourceZfsTest, HappyPathRunsTheExactCommandSequence) {
  nlohmann::json facts;
  auto done = backup(&facts);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_THAT(runner_->command_lines(),
              ElementsAre("zfs get -H -o value mountpoint tank/mysql",  // where the datadir is
                          "zfs get -H -o value mountpoint tank/mysql",  // provider.prepare()
                          "zfs snapshot tank/mysql@" + name_,           // under the lock
                          "zfs destroy tank/mysql@" + name_));
  EXPECT_EQ(facts["snapshot"]["provider"], "zfs");
  EXPECT_EQ(facts["snapshot"]["name"], name_);
  EXPECT_TRUE(facts["lock_held_ms"].is_number());
  EXPECT_FALSE(facts["directories"].empty()) << "the copy read the datadir through .zfs";
  EXPECT_FALSE(fs::exists(settings().journal_file)) << "journal must be empty after success";
  expect_server_writable();
}

TEST_F(SnapshotSourceZfsTest, RecursiveSnapshotOfSeveralDatasetsIsOneAtomicCommand) {
  volumes_ = {"tank/mysql", "tank/binlog"};
  recursive_ = true;
  auto done = backup();
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_THAT(
      runner_->command_lines(),
      ElementsAre(
          "zfs get -H -o value mountpoint tank/mysql", "zfs get -H -o value mountpoint tank/binlog",
          "zfs get -H -o value mountpoint tank/mysql", "zfs get -H -o value mountpoint tank/binlog",
          "zfs snapshot -r tank/mysql@" + name_ + " tank/binlog@" + name_,
          "zfs destroy -r tank/mysql@" + name_, "zfs destroy -r tank/binlog@" + name_));
  EXPECT_FALSE(fs::exists(settings().journal_file));
  expect_server_writable();
}

TEST_F(SnapshotSourceZfsTest, SnapshotFailureReleasesTheLockAndDestroysNothing) {
  runner_->on({"zfs", "snapshot"}).then(failed(1, "cannot create snapshot: out of space"));
  auto done = backup();
  ASSERT_FALSE(done);
  EXPECT_THAT(done.error().message, HasSubstr("out of space"));
  EXPECT_EQ(position_of("zfs destroy"), -1) << "the failed command made nothing";
  EXPECT_FALSE(fs::exists(settings().journal_file)) << "nothing was created, nothing journalled";
  expect_server_writable();
}

TEST_F(SnapshotSourceZfsTest, DestroyFailingOnceIsRetriedAndTheBackupSucceeds) {
  auto& destroy = runner_->on({"zfs", "destroy"}).then(failed(1, "dataset is busy"));
  auto done = backup();
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(destroy.calls(), 2);
  auto lines = runner_->command_lines();
  EXPECT_EQ(lines.back(), "zfs destroy tank/mysql@" + name_);
  EXPECT_FALSE(fs::exists(settings().journal_file)) << "destroyed in the end, so forgotten";
  expect_server_writable();
}

TEST_F(SnapshotSourceZfsTest, SigtermAsTheCopyStartsDestroysTheSnapshotAndReleasesTheLock) {
  auto done = backup(nullptr, [](std::string_view stage, const auto&) -> Result<void> {
    // What the SIGTERM handler does; the copy checks it before its first batch.
    if (stage == "post_snapshot") core::request_cancellation(SIGTERM);
    return {};
  });
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().kind, ErrorKind::kCancelled) << done.error().message;
  EXPECT_EQ(runner_->command_lines().back(), "zfs destroy tank/mysql@" + name_);
  EXPECT_FALSE(fs::exists(settings().journal_file));
  core::reset_cancellation_for_testing();
  expect_server_writable();
}

TEST_F(SnapshotSourceZfsTest, FailingPreLockStageTakesNoLockAndNoSnapshot) {
  auto done = backup(nullptr, [](std::string_view stage, const auto&) -> Result<void> {
    if (stage == "pre_lock") return fail("pre_lock hook 'false' failed: exit code 1");
    return {};
  });
  ASSERT_FALSE(done);
  EXPECT_THAT(done.error().message, HasSubstr("pre_lock"));
  EXPECT_EQ(position_of("zfs snapshot"), -1);
  EXPECT_EQ(position_of("zfs destroy"), -1);
  EXPECT_FALSE(fs::exists(settings().journal_file)) << "the prepared entry must be forgotten";
  expect_server_writable();
}

}  // namespace
}  // namespace dbkeep::source::mysql
