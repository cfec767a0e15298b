// Point-in-time recovery from a snapshot base (btrfs on a loop device): the ledger writer runs
// on the workspace's server while `archive run` follows it and a snapshot backup is taken;
// `restore --datadir --to-time` at a noted moment restores the snapshot, rolls it forward on
// a scratch server and leaves a datadir that holds exactly the rows committed by then.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/physical_workspace.hpp"
#include "support/pitr_suite.hpp"
#include "support/snapshot_workspace.hpp"

namespace dbkeep::test {
namespace {

using namespace std::chrono_literals;

class PitrSnapshotTest : public PitrTest {};

TEST_F(PitrSnapshotTest, SnapshotBaseRollsForwardToANotedMoment) {
  if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << "snapshot test skipped: " << reason;
  }
  auto created = SnapshotWorkspace::create();
  ASSERT_TRUE(created) << created.error().message;
  auto& workspace = **created;
  workspace.write_config("", "", kArchive);
  config_ = workspace.config();

  LedgerWriter writer(workspace.server().root_options(), "pitr");
  ASSERT_DONE(writer.create_tables());
  start_archiver();
  ASSERT_DONE(writer.start());
  std::this_thread::sleep_for(1s);
  auto backed_up = workspace.dbkeep_json({"backup", "--set", kSet});
  ASSERT_EQ(backed_up["backups"].size(), 1U) << backed_up.dump();
  const auto base = backed_up["backups"][0]["id"].get<std::string>();
  const auto moment = note_moment_then_stop(writer);

  const auto datadir = workspace.dir() / "restored";
  auto restored = workspace.dbkeep_json(
      {"restore", base, "--datadir", datadir.string(), "--to-time", moment.utc()});
  ASSERT_FALSE(restored.empty());
  expect_restored_ledger(datadir, workspace.dir() / "run", moment);
}

}  // namespace
}  // namespace dbkeep::test
