// The snapshot source driving an LVM snapshot against a real MariaDB, with the LVM commands
// replayed through a RecordingCommandRunner (no device-mapper here); see
// support/snapshot_source_harness.hpp.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/snapshot_source_harness.hpp"

namespace dbkeep::source::mysql {
namespace {
namespace fs = std::filesystem;
using test::failed;
using test::ok;
using ::testing::HasSubstr;

class SnapshotSourceLvmTest : public test::SnapshotSourceHarness {
 protected:
  void SetUp() override {
    SnapshotSourceHarness::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    runner_->on({"findmnt"}).always(ok(live_root_.string() + "\n"));
    runner_->on({"lvs", "--noheadings", "--units", "b", "--nosuffix"})
        .always(ok("  vg_mysql lv_data 107374182400\n"));
    runner_->on({"lvcreate"});
    runner_->on({"blkid"}).always(ok("xfs\n"));
    runner_->on({"mount"});
    runner_->on({"mountpoint"}).always(failed(1, ""));
    runner_->on({"lvs", "--noheadings", "-o", "lv_attr,data_percent"})
        .always(ok("  swi-a-s---   3.50\n"));
    runner_->on({"umount"});
    runner_->on({"lvremove"});
  }

  SnapshotSourceSettings settings() const override {
    auto settings = base_settings();
    settings.snapshot.provider = core::SnapshotProvider::kLvm;
    settings.snapshot.volumes = {"/dev/vg_mysql/lv_data"};
    settings.snapshot.size = 1ull << 30;
    settings.snapshot.mount_point = live_root_;  // see the file comment
    return settings;
  }
};

TEST_F(SnapshotSourceLvmTest, HappyPathCreatesMountsCopiesAndRemovesInOrder) {
  nlohmann::json facts;
  auto done = run_backup(&facts);
  ASSERT_TRUE(done) << done.error().message;
  const auto create = position_of("lvcreate --snapshot --size 1g --name dbkeep_main_");
  const auto mount = position_of("mount -t xfs -o ro,nouuid,norecovery /dev/vg_mysql/dbkeep_main_");
  const auto health = position_of("lvs --noheadings -o lv_attr,data_percent");
  const auto umount = position_of("umount " + live_root_.string());
  const auto remove = position_of("lvremove -f vg_mysql/dbkeep_main_");
  EXPECT_GE(create, 0);
  EXPECT_GT(mount, create);
  EXPECT_GT(health, mount);
  EXPECT_GT(umount, health);
  EXPECT_GT(remove, umount);
  EXPECT_EQ(facts["snapshot"]["provider"], "lvm");
  EXPECT_TRUE(facts["lock_held_ms"].is_number());
  EXPECT_FALSE(fs::exists(settings().journal_file)) << "journal must be empty after success";
  expect_server_writable();
}

TEST_F(SnapshotSourceLvmTest, LvcreateFailureReleasesTheLockAndCreatesNothing) {
  runner_->on({"lvcreate"}).then(failed(5, "  Insufficient free space: 256 extents needed"));
  auto done = run_backup();
  ASSERT_FALSE(done);
  EXPECT_THAT(done.error().message, HasSubstr("Insufficient free space"));
  EXPECT_EQ(position_of("mount"), -1);
  expect_server_writable();
  EXPECT_FALSE(fs::exists(settings().journal_file)) << "nothing was created, nothing journalled";
}

TEST_F(SnapshotSourceLvmTest, SnapshotFillingUpFailsTheBackupAndRemovesIt) {
  runner_->on({"lvs", "--noheadings", "-o", "lv_attr,data_percent"})
      .always(ok("  swi-a-s---  97.00\n"));
  auto done = run_backup();
  ASSERT_FALSE(done);
  EXPECT_THAT(done.error().message, HasSubstr("full"));
  EXPECT_GE(position_of("lvremove -f vg_mysql/dbkeep_main_"), 0);
  expect_server_writable();
}

}  // namespace
}  // namespace dbkeep::source::mysql
