// The LVM provider's exact command sequence on success and on every failure branch, replayed
// through a RecordingCommandRunner (this machine's kernel has no device-mapper).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/resource_journal.hpp"
#include "dbkeep/source/snapshot/leftover_recovery.hpp"
#include "dbkeep/source/snapshot/lvm_snapshot_provider.hpp"
#include "dbkeep/source/snapshot/snapshot_provider.hpp"
#include "support/recording_command_runner.hpp"
#include "support/snapshot_flow.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::source::snapshot {
namespace {

using test::failed;
using test::ok;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr auto kOriginQuery =
    "lvs --noheadings --units b --nosuffix -o vg_name,lv_name,lv_size "
    "/dev/vg_mysql/lv_data";
constexpr auto kFreeQuery = "vgs --noheadings --units b --nosuffix -o vg_free vg_mysql";
constexpr auto kCreate =
    "lvcreate --snapshot --size 15g --name dbkeep_main_1 vg_mysql/lv_data";  // 15% of 100 GiB
constexpr auto kProbe = "blkid -o value -s TYPE /dev/vg_mysql/dbkeep_main_1";
constexpr auto kHealth = "lvs --noheadings -o lv_attr,data_percent vg_mysql/dbkeep_main_1";
constexpr auto kRemove = "lvremove -f vg_mysql/dbkeep_main_1";

class LvmSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::reset_cancellation_for_testing();
    runner_.on({"lvs", "--noheadings", "--units", "b", "--nosuffix"})
        .always(ok("  vg_mysql lv_data 107374182400\n"));  // 100 GiB
    runner_.on({"vgs"}).always(ok("  21474836480\n"));     // 20 GiB free
    runner_.on({"lvcreate"});
    runner_.on({"blkid"}).always(ok("xfs\n"));
    runner_.on({"mount"});
    health_ = &runner_.on({"lvs", "--noheadings", "-o", "lv_attr,data_percent"})
                   .always(ok("  swi-a-s---   3.50\n"));
    runner_.on({"umount"});
    runner_.on({"lvremove"});
  }
  void TearDown() override { core::reset_cancellation_for_testing(); }

  SnapshotOptions options() const {
    return SnapshotOptions{.provider = ProviderKind::kLvm,
                           .volumes = {"/dev/vg_mysql/lv_data"},
                           .mount_point = mount_point_,
                           .name = "dbkeep_main_1",
                           .retry = {.attempts = 3, .pause = std::chrono::milliseconds(0)}};
  }
  std::unique_ptr<SnapshotProvider> provider(SnapshotOptions options) {
    return make_snapshot_provider(std::move(options), runner_, journal_).value();
  }
  std::unique_ptr<SnapshotProvider> provider() { return provider(options()); }

  std::string mount_command(const std::string& type_and_options) const {
    return "mount " + type_and_options + " /dev/vg_mysql/dbkeep_main_1 " + mount_point_.string();
  }
  std::string umount_command() const { return "umount " + mount_point_.string(); }

  core::TempDir scratch_ = test::make_temp_dir();
  std::filesystem::path mount_point_ = scratch_.path() / "mnt";
  core::ResourceJournal journal_ =
      core::ResourceJournal::open(scratch_.path() / "state" / "main.resources.json").value();
  test::RecordingCommandRunner runner_;
  test::RecordingCommandRunner::Rule* health_ = nullptr;
};

TEST_F(LvmSnapshotTest, SuccessRunsTheExactSequenceAndLeavesNothingBehind) {
  ASSERT_TRUE(test::run_snapshot_flow(provider()));
  EXPECT_THAT(runner_.command_lines(), ElementsAre(kOriginQuery, kFreeQuery, kCreate, kProbe,
                                                   mount_command("-t xfs -o ro,nouuid,norecovery"),
                                                   kHealth, kHealth, umount_command(), kRemove));
  EXPECT_THAT(journal_.entries(), IsEmpty());
  EXPECT_FALSE(std::filesystem::exists(journal_.file()));
}

TEST_F(LvmSnapshotTest, LvmCommandsRunInTheCLocale) {
  ASSERT_TRUE(test::run_snapshot_flow(provider()));
  for (const auto& command : runner_.commands()) {
    if (command.argv[0].starts_with("lv") || command.argv[0] == "vgs") {
      EXPECT_EQ(command.extra_env.at("LC_ALL"), "C") << command.display();
    }
  }
}

TEST_F(LvmSnapshotTest, Ext4IsMountedWithNoload) {
  runner_.on({"blkid"}).always(ok("ext4\n"));
  ASSERT_TRUE(test::run_snapshot_flow(provider()));
  EXPECT_THAT(runner_.command_lines(), ::testing::Contains(mount_command("-t ext4 -o ro,noload")));
}

TEST_F(LvmSnapshotTest, OtherFilesystemsAreMountedPlainReadOnly) {
  runner_.on({"blkid"}).always(ok("btrfs\n"));
  ASSERT_TRUE(test::run_snapshot_flow(provider()));
  EXPECT_THAT(runner_.command_lines(), ::testing::Contains(mount_command("-t btrfs -o ro")));
  EXPECT_EQ(read_only_mount_options("ext3"), "ro,noload");
}

TEST_F(LvmSnapshotTest, ConfiguredMountOptionsReplaceDetection) {
  auto configured = options();
  configured.mount_options = "ro,nouuid";
  ASSERT_TRUE(test::run_snapshot_flow(provider(configured)));
  EXPECT_EQ(runner_.command_lines().at(3), mount_command("-o ro,nouuid"));
}

TEST_F(LvmSnapshotTest, ConfiguredSizeIsUsedWithoutAskingForFreeSpace) {
  auto configured = options();
  configured.size_bytes = 1536ull << 20;  // 1.5 GiB
  ASSERT_TRUE(test::run_snapshot_flow(provider(configured)));
  EXPECT_EQ(runner_.command_lines().at(1),
            "lvcreate --snapshot --size 1536m --name dbkeep_main_1 vg_mysql/lv_data");
}

TEST_F(LvmSnapshotTest, LvcreateFailureLeavesNothingToUndo) {
  runner_.on({"lvcreate"})
      .always(failed(5,
                     "  Volume group \"vg_mysql\" has insufficient free "
                     "space (10 extents): 3840 required.\n"));
  auto result = test::run_snapshot_flow(provider());
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("creating LVM snapshot"));
  EXPECT_THAT(result.error().message, HasSubstr("insufficient free space"));
  EXPECT_THAT(runner_.command_lines(), ElementsAre(kOriginQuery, kFreeQuery, kCreate));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(LvmSnapshotTest, LvcreateTimeoutRemovesTheSnapshotItMayHaveMade) {
  runner_.on({"lvcreate"}).always(test::timed_out());
  ASSERT_FALSE(test::run_snapshot_flow(provider()));
  EXPECT_THAT(runner_.command_lines(), ElementsAre(kOriginQuery, kFreeQuery, kCreate, kRemove));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(LvmSnapshotTest, MountFailureRemovesTheSnapshot) {
  runner_.on({"mount"}).always(failed(32, "mount: wrong fs type, bad option, bad superblock"));
  auto result = test::run_snapshot_flow(provider());
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("mounting LVM snapshot vg_mysql/dbkeep_main_1"));
  EXPECT_THAT(runner_.command_lines(),
              ElementsAre(kOriginQuery, kFreeQuery, kCreate, kProbe,
                          mount_command("-t xfs -o ro,nouuid,norecovery"), kRemove));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(LvmSnapshotTest, SnapshotFillingDuringTheCopyFailsAndSaysHowBigItShouldBe) {
  health_->then(ok("  swi-a-s---  40.00\n")).always(ok("  swi-a-s---  93.27\n"));
  auto result = test::run_snapshot_flow(provider(), {.copy_chunks = 3});
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("is 93.3% full (limit 90%)"));
  EXPECT_THAT(result.error().message, HasSubstr("at least 30.0 GiB (it was 15.0 GiB)"));
  EXPECT_THAT(runner_.command_lines(), ElementsAre(kOriginQuery, kFreeQuery, kCreate, kProbe,
                                                   mount_command("-t xfs -o ro,nouuid,norecovery"),
                                                   kHealth, kHealth, umount_command(), kRemove));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(LvmSnapshotTest, OverflowedSnapshotIsReportedAsInvalid) {
  health_->always(ok("  Swi-I-s--- 100.00\n"));
  auto result = test::run_snapshot_flow(provider());
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("overflowed"));
  EXPECT_EQ(runner_.command_lines().back(), kRemove);
}

TEST_F(LvmSnapshotTest, LvremoveFailingOnceIsRetried) {
  runner_.on({"lvremove"}).then(failed(5, "  Logical volume vg_mysql/dbkeep_main_1 in use."));
  ASSERT_TRUE(test::run_snapshot_flow(provider()));
  EXPECT_THAT(runner_.command_lines(),
              ElementsAre(kOriginQuery, kFreeQuery, kCreate, kProbe,
                          mount_command("-t xfs -o ro,nouuid,norecovery"), kHealth, kHealth,
                          umount_command(), kRemove, kRemove));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(LvmSnapshotTest, LvremoveFailingForGoodIsReportedAndStaysJournalled) {
  runner_.on({"lvremove"}).always(failed(5, "  Logical volume in use."));
  auto result = test::run_snapshot_flow(provider());
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("failed 3 times"));
  EXPECT_EQ(runner_.command_lines().size(), 11u);  // three lvremove attempts
  ASSERT_EQ(journal_.entries().size(), 1u);
  EXPECT_EQ(journal_.entries()[0].target, "vg_mysql/dbkeep_main_1");
}

TEST_F(LvmSnapshotTest, UnmountFailingForGoodSkipsRemovalAndKeepsBothJournalled) {
  runner_.on({"umount"}).always(failed(32, "umount: target is busy."));
  ASSERT_FALSE(test::run_snapshot_flow(provider()));
  EXPECT_EQ(runner_.command_lines().back(), umount_command());
  EXPECT_EQ(journal_.entries().size(), 2u);
}

TEST_F(LvmSnapshotTest, CancellationMidCopyUnmountsAndRemoves) {
  auto result = test::run_snapshot_flow(provider(), {.copy_chunks = 5, .on_chunk = [](int chunk) {
                                                       if (chunk == 1)
                                                         core::request_cancellation(SIGTERM);
                                                     }});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kCancelled);
  EXPECT_THAT(result.error().message, HasSubstr("SIGTERM"));
  EXPECT_THAT(runner_.command_lines(), ElementsAre(kOriginQuery, kFreeQuery, kCreate, kProbe,
                                                   mount_command("-t xfs -o ro,nouuid,norecovery"),
                                                   kHealth, kHealth, umount_command(), kRemove));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

// A run killed after mounting leaves its journal; the next run unmounts, then removes.
TEST_F(LvmSnapshotTest, NextRunRecoversWhatAKilledRunLeft) {
  {
    auto killed = provider();
    ASSERT_TRUE(killed->prepare());
    ASSERT_TRUE(killed->create());
    ASSERT_TRUE(killed->mount());
    // No guard: the process "dies" here, and nothing is undone.
  }
  auto journal = core::ResourceJournal::open(journal_.file()).value();
  ASSERT_EQ(journal.entries().size(), 2u);

  test::RecordingCommandRunner next_run;
  next_run.on({"mountpoint"});
  next_run.on({"umount"});
  next_run.on({"lvs", "--noheadings", "-o", "lv_name"}).always(ok("  dbkeep_main_1\n"));
  next_run.on({"lvremove"});
  ASSERT_TRUE(recover_leftovers(journal, next_run, {.attempts = 2, .pause = {}}));
  EXPECT_THAT(next_run.command_lines(),
              ElementsAre("mountpoint -q " + mount_point_.string(), umount_command(),
                          "lvs --noheadings -o lv_name vg_mysql/dbkeep_main_1", kRemove));
  EXPECT_THAT(journal.entries(), IsEmpty());
  EXPECT_FALSE(std::filesystem::exists(journal.file()));
}

TEST_F(LvmSnapshotTest, RecoveryToleratesResourcesAlreadyGone) {
  ASSERT_TRUE(journal_.record({.kind = "snapshot", .provider = "lvm", .target = "vg/old"}));
  ASSERT_TRUE(journal_.record({.kind = "mount", .target = "/mnt/old"}));
  test::RecordingCommandRunner next_run;
  next_run.on({"mountpoint"}).always(failed(32, "/mnt/old is not a mountpoint"));
  next_run.on({"lvs"}).always(failed(5, "  Failed to find logical volume \"vg/old\""));
  ASSERT_TRUE(recover_leftovers(journal_, next_run));
  EXPECT_THAT(next_run.command_lines(),
              ElementsAre("mountpoint -q /mnt/old", "lvs --noheadings -o lv_name vg/old"));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

}  // namespace
}  // namespace dbkeep::source::snapshot
