// The ZFS provider's exact command sequence, replayed through a RecordingCommandRunner (this
// machine has no ZFS).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/resource_journal.hpp"
#include "dbkeep/source/snapshot/leftover_recovery.hpp"
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

class ZfsSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::reset_cancellation_for_testing();
    runner_.on({"zfs", "get", "-H", "-o", "value", "mountpoint", "tank/mysql"})
        .always(ok("/var/lib/mysql\n"));
    runner_.on({"zfs", "get", "-H", "-o", "value", "mountpoint", "tank/mysql-logs"})
        .always(ok("/var/log/mysql-innodb\n"));
    runner_.on({"zfs", "snapshot"});
    runner_.on({"zfs", "destroy"});
  }
  void TearDown() override { core::reset_cancellation_for_testing(); }

  SnapshotOptions options() const {
    return SnapshotOptions{.provider = ProviderKind::kZfs,
                           .volumes = {"tank/mysql", "tank/mysql-logs"},
                           .name = "dbkeep_main_1",
                           .retry = {.attempts = 3, .pause = std::chrono::milliseconds(0)}};
  }
  std::unique_ptr<SnapshotProvider> provider(SnapshotOptions options) {
    return make_snapshot_provider(std::move(options), runner_, journal_).value();
  }
  std::unique_ptr<SnapshotProvider> provider() { return provider(options()); }

  core::TempDir scratch_ = test::make_temp_dir();
  core::ResourceJournal journal_ =
      core::ResourceJournal::open(scratch_.path() / "main.resources.json").value();
  test::RecordingCommandRunner runner_;
};

TEST_F(ZfsSnapshotTest, SuccessSnapshotsAllDatasetsInOneCommand) {
  ASSERT_TRUE(test::run_snapshot_flow(provider()));
  EXPECT_THAT(runner_.command_lines(),
              ElementsAre("zfs get -H -o value mountpoint tank/mysql",
                          "zfs get -H -o value mountpoint tank/mysql-logs",
                          "zfs snapshot tank/mysql@dbkeep_main_1 tank/mysql-logs@dbkeep_main_1",
                          "zfs destroy tank/mysql@dbkeep_main_1",
                          "zfs destroy tank/mysql-logs@dbkeep_main_1"));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(ZfsSnapshotTest, SnapshotIsReadThroughTheHiddenZfsDirectory) {
  auto zfs = provider();
  ASSERT_TRUE(zfs->prepare());
  ASSERT_TRUE(zfs->create());
  ASSERT_TRUE(zfs->mount());
  EXPECT_EQ(zfs->readable_path(0), "/var/lib/mysql/.zfs/snapshot/dbkeep_main_1");
  EXPECT_EQ(zfs->readable_path(1), "/var/log/mysql-innodb/.zfs/snapshot/dbkeep_main_1");
  EXPECT_TRUE(zfs->remove());
}

TEST_F(ZfsSnapshotTest, RecursiveSnapshotsAndDestroysWithR) {
  auto recursive = options();
  recursive.volumes = {"tank/mysql"};
  recursive.recursive = true;
  ASSERT_TRUE(test::run_snapshot_flow(provider(recursive)));
  EXPECT_THAT(runner_.command_lines(), ElementsAre("zfs get -H -o value mountpoint tank/mysql",
                                                   "zfs snapshot -r tank/mysql@dbkeep_main_1",
                                                   "zfs destroy -r tank/mysql@dbkeep_main_1"));
}

TEST_F(ZfsSnapshotTest, LegacyMountpointIsRefusedBeforeAnySnapshot) {
  runner_.on({"zfs", "get", "-H", "-o", "value", "mountpoint", "tank/mysql"})
      .always(ok("legacy\n"));
  auto result = test::run_snapshot_flow(provider());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kUsage);
  EXPECT_THAT(result.error().message, HasSubstr("mountpoint \"legacy\""));
  EXPECT_THAT(runner_.command_lines(), ElementsAre("zfs get -H -o value mountpoint tank/mysql"));
}

TEST_F(ZfsSnapshotTest, SnapshotFailureLeavesNothingToUndo) {
  runner_.on({"zfs", "snapshot"})
      .always(failed(1, "cannot create snapshot 'tank/mysql@dbkeep_main_1': out of space"));
  auto result = test::run_snapshot_flow(provider());
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr("out of space"));
  EXPECT_EQ(runner_.command_lines().size(), 3u);
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(ZfsSnapshotTest, DestroyFailingOnceIsRetriedAndTheOtherDatasetStillDestroyed) {
  runner_.on({"zfs", "destroy", "tank/mysql@dbkeep_main_1"})
      .then(failed(1, "cannot destroy snapshot: dataset is busy"));
  ASSERT_TRUE(test::run_snapshot_flow(provider()));
  EXPECT_THAT(
      runner_.command_lines(),
      ElementsAre("zfs get -H -o value mountpoint tank/mysql",
                  "zfs get -H -o value mountpoint tank/mysql-logs",
                  "zfs snapshot tank/mysql@dbkeep_main_1 tank/mysql-logs@dbkeep_main_1",
                  "zfs destroy tank/mysql@dbkeep_main_1", "zfs destroy tank/mysql@dbkeep_main_1",
                  "zfs destroy tank/mysql-logs@dbkeep_main_1"));
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(ZfsSnapshotTest, CancellationMidCopyDestroysTheSnapshots) {
  auto result = test::run_snapshot_flow(
      provider(), {.copy_chunks = 3, .on_chunk = [](int) { core::request_cancellation(SIGINT); }});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kCancelled);
  auto lines = runner_.command_lines();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[3], "zfs destroy tank/mysql@dbkeep_main_1");
  EXPECT_EQ(lines[4], "zfs destroy tank/mysql-logs@dbkeep_main_1");
  EXPECT_THAT(journal_.entries(), IsEmpty());
}

TEST_F(ZfsSnapshotTest, NextRunDestroysWhatAKilledRunLeft) {
  {
    auto killed = provider();
    ASSERT_TRUE(killed->prepare());
    ASSERT_TRUE(killed->create());
  }
  auto journal = core::ResourceJournal::open(journal_.file()).value();
  ASSERT_EQ(journal.entries().size(), 2u);
  test::RecordingCommandRunner next_run;
  next_run.on({"zfs", "list"});
  next_run.on({"zfs", "list", "-H", "-o", "name", "-t", "snapshot", "tank/mysql@dbkeep_main_1"})
      .always(failed(1, "dataset does not exist"));  // already destroyed by hand
  next_run.on({"zfs", "destroy"});
  ASSERT_TRUE(recover_leftovers(journal, next_run));
  EXPECT_THAT(next_run.command_lines(),
              ElementsAre("zfs list -H -o name -t snapshot tank/mysql-logs@dbkeep_main_1",
                          "zfs destroy tank/mysql-logs@dbkeep_main_1",
                          "zfs list -H -o name -t snapshot tank/mysql@dbkeep_main_1"));
  EXPECT_THAT(journal.entries(), IsEmpty());
}

}  // namespace
}  // namespace dbkeep::source::snapshot
