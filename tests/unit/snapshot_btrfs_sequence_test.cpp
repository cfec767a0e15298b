// The btrfs provider's command sequence through a RecordingCommandRunner; the real thing on a
// loop device is in tests/integration/snapshot_btrfs_test.cpp.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/resource_journal.hpp"
#include "dbkeep/source/snapshot/snapshot_provider.hpp"
#include "support/recording_command_runner.hpp"
#include "support/snapshot_flow.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::source::snapshot {
namespace {

using test::failed;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr auto kShow = "btrfs subvolume show /srv/btrfs/mysql";
constexpr auto kSnapshot =
    "btrfs subvolume snapshot -r /srv/btrfs/mysql /srv/btrfs/snapshots/dbkeep_main_1";
constexpr auto kDelete = "btrfs subvolume delete /srv/btrfs/snapshots/dbkeep_main_1";

class BtrfsSnapshotSequenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::reset_cancellation_for_testing();
    runner_.on({"btrfs", "subvolume", "show"});
    runner_.on({"btrfs", "subvolume", "snapshot"});
    runner_.on({"btrfs", "subvolume", "delete"});
  }
  void TearDown() override { core::reset_cancellation_for_testing(); }

  std::unique_ptr<SnapshotProvider> provider() {
    SnapshotOptions options{.provider = ProviderKind::kBtrfs,
                            .volumes = {"/srv/btrfs/mysql"},
                            .mount_point = "/srv/btrfs/snapshots",
                            .name = "dbkeep_main_1",
                            .retry = {.attempts = 3, .pause = std::chrono::milliseconds(0)}};
    return make_snapshot_provider(std::move(options), runner_, journal_).value();
  }

  core::TempDir scratch_ = test::make_temp_dir();
  core::ResourceJournal journal_ =
      core::ResourceJournal::open(scratch_.path() / "main.resources.json").value();
  test::RecordingCommandRunner runner_;
};

TEST_F(BtrfsSnapshotSequenceTest, SuccessSnapshotsReadOnlyAndDeletes) {
  auto btrfs = provider();
  EXPECT_EQ(btrfs->readable_path(), "/srv/btrfs/snapshots/dbkeep_main_1");
  ASSERT_TRUE(test::run_snapshot_flow(std::move(btrfs)));
  EXPECT_THAT(runner_.command_lines(), ElementsAre(kShow, kSnapshot, kDelete));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(BtrfsSnapshotSequenceTest, VolumeThatIsNotASubvolumeIsAUsageError) {
  runner_.on({"btrfs", "subvolume", "show"})
      .always(failed(1, "ERROR: Not a Btrfs subvolume: Invalid argument"));
  auto result = test::run_snapshot_flow(provider());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kUsage);
  EXPECT_THAT(result.error().message, HasSubstr("is not a btrfs subvolume"));
  EXPECT_THAT(runner_.command_lines(), ElementsAre(kShow));
}

TEST_F(BtrfsSnapshotSequenceTest, SnapshotFailureLeavesNothingToUndo) {
  runner_.on({"btrfs", "subvolume", "snapshot"})
      .always(failed(1, "ERROR: cannot snapshot '/srv/btrfs/mysql': Invalid cross-device link"));
  auto result = test::run_snapshot_flow(provider());
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("cross-device link"));
  EXPECT_THAT(runner_.command_lines(), ElementsAre(kShow, kSnapshot));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(BtrfsSnapshotSequenceTest, DeleteFailingOnceIsRetried) {
  runner_.on({"btrfs", "subvolume", "delete"}).then(failed(1, "ERROR: Device or resource busy"));
  ASSERT_TRUE(test::run_snapshot_flow(provider()));
  EXPECT_THAT(runner_.command_lines(), ElementsAre(kShow, kSnapshot, kDelete, kDelete));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(BtrfsSnapshotSequenceTest, CancellationMidCopyDeletesTheSnapshot) {
  auto result = test::run_snapshot_flow(provider(), {.copy_chunks = 4, .on_chunk = [](int chunk) {
                                                       if (chunk == 2)
                                                         core::request_cancellation(SIGINT);
                                                     }});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kCancelled);
  EXPECT_THAT(runner_.command_lines(), ElementsAre(kShow, kSnapshot, kDelete));
}

}  // namespace
}  // namespace dbkeep::source::snapshot
