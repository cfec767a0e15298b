// The snapshot method end to end with provider = "lvm" on real LVM, through the real dbkeep
// binary: runs only inside the test guest (tests/vm, suite lvm-mariadb), whose kernel has
// device-mapper, with a scratch volume group named in DBKEEP_TEST_LVM_VG; skipped everywhere
// else. A MariaDB server's datadir lies on a fresh ext4 or XFS logical volume.
//   - under bank load, backup (automatic snapshot size), restore --start, total and CHECK TABLE,
//     the global lock's hold time printed;
//   - the snapshot overflowing while mounted for the copy: the backup fails naming it (not the
//     I/O errors reading it gives), nothing is listed, the snapshot is unmounted and removed;
//   - dbkeep SIGKILLed mid-copy: the next backup removes the stale snapshot and mount.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/source/snapshot/lvm_sizing.hpp"
#include "support/bank_writer.hpp"
#include "support/holding_stand_in.hpp"
#include "support/snapshot_workspace.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;
namespace lvm = source::snapshot::lvm;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// mkfs.xfs refuses filesystems under 300 MB; the datadir needs ~60 MB.
constexpr std::uint64_t kVolumeSize = 320 * lvm::kMiB;

class SnapshotBackupLvmTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() { workspaces_.clear(); }

  void SetUp() override {
    if (auto reason = SnapshotWorkspace::lvm_unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << "LVM snapshot end-to-end test skipped: " << reason;
    }
  }

  // The workspace with the datadir on an LV formatted with `filesystem`, shared by the suite's
  // tests (under emulation making the LV and starting the server take 25-40 s). Each test
  // starts with an empty repository and log.
  void use_workspace(const std::string& filesystem) {
    auto& shared = workspaces_[filesystem];
    if (!shared) {
      auto created =
          SnapshotWorkspace::create_on_lvm("mariadb_" + filesystem, kVolumeSize, filesystem);
      ASSERT_TRUE(created) << created.error().message;
      shared = std::move(*created);
    }
    workspace_ = shared.get();
    fs::remove_all(workspace_->repository());
    fs::remove(workspace_->dir() / "dbkeep.log");
  }

  // Waits until the bank writer commits, so the backup really runs under load.
  static void await_commits(const BankWriter& bank) {
    for (int i = 0; i < 6000 && bank.commits() < 20; ++i) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    ASSERT_GE(bank.commits(), 20U) << "the bank writer does not commit";
  }

  // dbkeep's snapshot LVs (dbkeep_<set>_<id>) in the scratch group.
  static std::vector<std::string> snapshot_volumes() {
    std::vector<std::string> found;
    for (auto& name : lvm_volume_names()) {
      if (name.starts_with("dbkeep_main_")) found.push_back(name);
    }
    return found;
  }

  // What a run must leave behind: no snapshot LV, nothing mounted at the mount point.
  void expect_snapshot_gone() {
    EXPECT_THAT(snapshot_volumes(), IsEmpty()) << "the snapshot LV must be removed";
    EXPECT_FALSE(is_mount_point(workspace_->snapshot_dir()));
    EXPECT_TRUE(fs::is_empty(workspace_->snapshot_dir()));
  }

  void backup_and_restore_under_load();

  SnapshotWorkspace* workspace_ = nullptr;
  static inline std::map<std::string, std::unique_ptr<SnapshotWorkspace>> workspaces_;
};

// A 4 MiB snapshot (one extent) and 32 MiB written to the origin while the snapshot is mounted
// (by the post_snapshot hook, just before the copy reads it): the kernel invalidates the
// snapshot, and the backup fails naming the overflow and a better size.
TEST_F(SnapshotBackupLvmTest, OverflowingSnapshotFailsTheBackupCleanly) {
  use_workspace("ext4");
  const fs::path churn = workspace_->lvm_volume().mount_dir() / "churn";
  workspace_->write_config("compression = \"none\"\n", "",
                           "size = \"4M\"\n"
                           "[set.hooks]\npost_snapshot = [\"dd\", \"if=/dev/zero\", \"of=" +
                               churn.string() + "\", \"bs=1M\", \"count=32\", \"conv=fsync\"]\n");
  auto backup = workspace_->dbkeep({"backup"});
  EXPECT_NE(backup.exit_code, 0);
  EXPECT_THAT(backup.stderr_text, HasSubstr("overflowed")) << backup.stdout_text;
  EXPECT_THAT(backup.stderr_text, HasSubstr("Make snapshot.size at least"));
  EXPECT_TRUE(fs::exists(churn)) << "the hook did not write";
  fs::remove(churn);
  expect_snapshot_gone();
  auto listing = workspace_->dbkeep_json({"list"});
  EXPECT_TRUE(listing["backups"].empty()) << listing.dump();
}

// dbkeep SIGKILLed mid-copy: a stand-in lvs first in PATH holds up the copy's first check of
// the snapshot's fill level (lvs -o lv_attr,data_percent) (snapshot_source.cpp checks before each
// batch of files it stores), so dbkeep is caught with the snapshot mounted and the datadir listed
// and being copied. The next run unmounts and removes both and succeeds.
TEST_F(SnapshotBackupLvmTest, KilledMidCopyTheNextRunRemovesTheSnapshotAndMount) {
  use_workspace("ext4");
  workspace_->write_config("compression = \"none\"\n", "", "size = \"64M\"\n");
  const fs::path bin = workspace_->dir() / "bin";
  const fs::path held = workspace_->dir() / "first-check";
  const fs::path release = workspace_->dir() / "release";
  write_holding_stand_in(bin, "lvs", "[ \"${*#*data_percent}\" != \"$*\" ]", held, release);

  core::SpawnOptions spawn;
  spawn.argv = {DBKEEP_BINARY, "--config", workspace_->config().string(), "backup"};
  spawn.extra_env = {{"PATH", bin.string() + ":" + std::string(std::getenv("PATH"))}};
  spawn.pipe_stderr = true;  // a few log lines; no progress meter on the guest's console
  auto dbkeep = core::ChildProcess::spawn(spawn);
  ASSERT_TRUE(dbkeep) << dbkeep.error().message;
  for (int i = 0; i < 3000 && !fs::exists(held); ++i)
    std::this_thread::sleep_for(milliseconds(100));
  ASSERT_TRUE(fs::exists(held)) << "dbkeep never reached the copy";
  ASSERT_TRUE(is_mount_point(workspace_->snapshot_dir()));
  ASSERT_EQ(snapshot_volumes().size(), 1U);
  ASSERT_EQ(::kill(dbkeep->pid(), SIGKILL), 0);
  ASSERT_TRUE(dbkeep->wait());
  std::ofstream(release) << "go\n";
  std::ifstream log(workspace_->dir() / "dbkeep.log");
  const std::string logged((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_THAT(logged, HasSubstr("copying the datadir from LVM snapshot"));
  EXPECT_TRUE(is_mount_point(workspace_->snapshot_dir())) << "the killed run's mount remains";
  EXPECT_EQ(snapshot_volumes().size(), 1U) << "the killed run's snapshot remains";

  auto next = workspace_->dbkeep({"backup"});
  EXPECT_EQ(next.exit_code, 0) << next.stderr_text;
  EXPECT_THAT(next.stderr_text, HasSubstr("left by an earlier run"));
  expect_snapshot_gone();
  auto listing = workspace_->dbkeep_json({"list"});
  EXPECT_EQ(listing["backups"].size(), 1U) << listing.dump();
}

// No snapshot.size: the size comes from the LV and the VG's free space (lvm_sizing.hpp).
void SnapshotBackupLvmTest::backup_and_restore_under_load() {
  workspace_->write_config("compression = \"zstd\"\n");
  BankWriter bank(workspace_->server().root_options());
  ASSERT_TRUE(bank.create_tables());
  ASSERT_TRUE(bank.start());
  await_commits(bank);

  const std::string group = LvmTestVolume::volume_group();
  const auto lv_size = lvm_bytes("lvs", "lv_size", workspace_->lvm_volume().lv_path()).value();
  const auto vg_free = lvm_bytes("vgs", "vg_free", group).value();
  const auto automatic = lvm::auto_snapshot_size(lv_size, vg_free, group).value();

  const auto backup_started = std::chrono::steady_clock::now();
  auto backup = workspace_->dbkeep({"--json", "backup"});
  const auto backup_took = std::chrono::steady_clock::now() - backup_started;
  const auto commits_during = bank.commits();
  bank.stop();
  std::cerr << backup.stderr_text;  // dbkeep's account: sizes, lock, mount, copy, removal
  ASSERT_EQ(backup.exit_code, 0);
  EXPECT_THAT(backup.stderr_text,
              HasSubstr("LVM snapshot size " + lvm::human_size(automatic) + " (automatic: 15% of"));
  auto listed = nlohmann::json::parse(backup.stdout_text, nullptr, false);
  ASSERT_FALSE(listed.is_discarded()) << backup.stdout_text;
  ASSERT_EQ(listed["backups"].size(), 1U) << listed.dump();
  const std::string id = listed["backups"][0]["id"];
  expect_snapshot_gone();

  auto manifest = workspace_->dbkeep_json({"show", id});
  const auto& facts = manifest["facts"];
  EXPECT_EQ(facts["layout"], "datadir");
  EXPECT_EQ(facts["snapshot"]["provider"], "lvm");
  EXPECT_EQ(facts["snapshot"]["name"], "dbkeep_main_" + id);
  EXPECT_GT(facts["binlog"]["position"].get<std::uint64_t>(), 0U) << facts.dump();
  ASSERT_TRUE(facts["lock"]["held_us"].is_number()) << facts.dump();
  std::cerr << "[ lvm      ] " << workspace_->lvm_volume().name() << ": global lock held "
            << facts["lock"]["held_us"] << " us (snapshot step "
            << facts["lock"]["steps_us"]["snapshot"] << " us), " << commits_during
            << " transfers committed by the end of the backup, automatic "
            << "snapshot size " << lvm::human_size(automatic) << ", backup took "
            << std::chrono::duration_cast<milliseconds>(backup_took).count() << " ms\n";

  const fs::path target = workspace_->dir() / "restored";
  const auto restore_started = std::chrono::steady_clock::now();
  auto restored = workspace_->dbkeep_json({"restore", id, "--datadir", target.string(), "--start"});
  ASSERT_TRUE(restored.contains("server")) << restored.dump();
  const auto restore_took = std::chrono::steady_clock::now() - restore_started;
  const pid_t pid = restored["server"]["pid"].get<pid_t>();
  expect_restored_bank_intact(restored["server"]["socket"].get<std::string>(),
                              bank.expected_total());
  const auto checked_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(stop_detached_server(pid));
  std::cerr << "[ lvm      ] restore --start took "
            << std::chrono::duration_cast<milliseconds>(restore_took).count() << " ms, checks "
            << std::chrono::duration_cast<milliseconds>(checked_at - restore_started - restore_took)
                   .count()
            << " ms, server stop "
            << std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() -
                                                        checked_at)
                   .count()
            << " ms\n";
  fs::remove_all(fs::path(restored["server"]["socket"].get<std::string>()).parent_path());
}

TEST_F(SnapshotBackupLvmTest, Ext4BankTotalSurvivesBackupAndRestoreUnderLoad) {
  use_workspace("ext4");
  backup_and_restore_under_load();
}

TEST_F(SnapshotBackupLvmTest, XfsBankTotalSurvivesBackupAndRestoreUnderLoad) {
  use_workspace("xfs");
  backup_and_restore_under_load();
}

}  // namespace
}  // namespace dbkeep::test
