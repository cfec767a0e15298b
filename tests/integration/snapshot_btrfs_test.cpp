// The btrfs snapshot provider against a real btrfs filesystem on a loop device: the snapshot
// keeps the old content while the live files change, is read-only, and is removed afterwards —
// also when a run is killed and the next one recovers its leftovers.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/resource_journal.hpp"
#include "dbkeep/source/snapshot/leftover_recovery.hpp"
#include "dbkeep/source/snapshot/snapshot_guard.hpp"
#include "dbkeep/source/snapshot/snapshot_provider.hpp"
#include "support/btrfs_loop_volume.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::source::snapshot {
namespace {

using test::read_file;

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::trunc) << text;
}

class BtrfsSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = test::BtrfsLoopVolume::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << "btrfs loop volume unavailable: " << reason;
    }
    auto volume = test::BtrfsLoopVolume::create();
    ASSERT_TRUE(volume) << volume.error().message;
    volume_ = std::move(*volume);
    fs::create_directory(volume_->mount_dir() / "snapshots");
    write_file(volume_->subvolume() / "ibdata1", "balance=100\n");
    write_file(volume_->subvolume() / "bank" / "accounts.ibd", "alice=60 bob=40\n");
  }

  SnapshotOptions options() const {
    return SnapshotOptions{.provider = ProviderKind::kBtrfs,
                           .volumes = {volume_->subvolume().string()},
                           .mount_point = volume_->mount_dir() / "snapshots",
                           .name = "dbkeep_main_1",
                           .retry = {.attempts = 3, .pause = std::chrono::milliseconds(100)}};
  }
  fs::path journal_file() const { return scratch_.path() / "state" / "main.resources.json"; }

  core::TempDir scratch_ = test::make_temp_dir();
  std::unique_ptr<test::BtrfsLoopVolume> volume_;
  core::SystemCommandRunner runner_;
};

TEST_F(BtrfsSnapshotTest, SnapshotKeepsOldContentIsReadOnlyAndIsRemoved) {
  auto journal = core::ResourceJournal::open(journal_file()).value();
  auto provider = make_snapshot_provider(options(), runner_, journal).value();
  ASSERT_TRUE(provider->prepare());
  SnapshotGuard guard(std::move(provider));
  ASSERT_TRUE(guard->create());
  ASSERT_TRUE(guard->mount());
  ASSERT_TRUE(guard->check_health());
  const fs::path snapshot = guard->readable_path();
  EXPECT_EQ(snapshot, volume_->mount_dir() / "snapshots" / "dbkeep_main_1");
  EXPECT_EQ(journal.entries().size(), 1u);

  // The server keeps writing to the live datadir…
  write_file(volume_->subvolume() / "ibdata1", "balance=70\n");
  write_file(volume_->subvolume() / "bank" / "new_table.ibd", "created after the snapshot\n");
  fs::remove(volume_->subvolume() / "bank" / "accounts.ibd");

  // …while the snapshot still shows the moment it was taken.
  EXPECT_EQ(read_file(snapshot / "ibdata1"), "balance=100\n");
  EXPECT_EQ(read_file(snapshot / "bank" / "accounts.ibd"), "alice=60 bob=40\n");
  EXPECT_FALSE(fs::exists(snapshot / "bank" / "new_table.ibd"));

  // Read-only: neither new files nor changes are possible.
  errno = 0;
  EXPECT_EQ(::open((snapshot / "intruder").c_str(), O_WRONLY | O_CREAT, 0600), -1);
  EXPECT_EQ(errno, EROFS);
  errno = 0;
  EXPECT_EQ(::open((snapshot / "ibdata1").c_str(), O_WRONLY), -1);
  EXPECT_EQ(errno, EROFS);
  auto property = core::run_checked(
      runner_, core::Command{.argv = {"btrfs", "property", "get", "-ts", snapshot, "ro"}});
  ASSERT_TRUE(property) << property.error().message;
  EXPECT_THAT(property->stdout_text, ::testing::HasSubstr("ro=true"));

  ASSERT_TRUE(guard.release());
  EXPECT_FALSE(fs::exists(snapshot));
  EXPECT_TRUE(journal.entries().empty());
  EXPECT_FALSE(fs::exists(journal_file()));
}

// A child process takes the snapshot and is SIGKILLed; the next run finds it in the journal and
// deletes it.
TEST_F(BtrfsSnapshotTest, NextRunRemovesTheSnapshotOfAKilledRun) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto journal = core::ResourceJournal::open(journal_file());
    if (!journal) ::_exit(2);
    auto provider = make_snapshot_provider(options(), runner_, *journal);
    if (!provider || !(*provider)->prepare() || !(*provider)->create()) ::_exit(3);
    ::kill(::getpid(), SIGKILL);  // no destructor, no cleanup: exactly a killed run
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  const fs::path leftover = volume_->mount_dir() / "snapshots" / "dbkeep_main_1";
  ASSERT_TRUE(fs::exists(leftover / "ibdata1"));

  auto journal = core::ResourceJournal::open(journal_file()).value();
  ASSERT_EQ(journal.entries().size(), 1u);
  EXPECT_EQ(journal.entries()[0].target, leftover.string());
  ASSERT_TRUE(recover_leftovers(journal, runner_));
  EXPECT_FALSE(fs::exists(leftover));
  EXPECT_TRUE(journal.entries().empty());

  // A second recovery, and an entry whose snapshot is already gone, are harmless.
  ASSERT_TRUE(journal.record({.kind = "snapshot", .provider = "btrfs", .target = leftover}));
  EXPECT_TRUE(recover_leftovers(journal, runner_));
  EXPECT_TRUE(journal.entries().empty());

  // The name is free again: a new backup can take its snapshot.
  auto provider = make_snapshot_provider(options(), runner_, journal).value();
  ASSERT_TRUE(provider->prepare());
  SnapshotGuard guard(std::move(provider));
  ASSERT_TRUE(guard->create());
  EXPECT_TRUE(guard.release());
}

}  // namespace
}  // namespace dbkeep::source::snapshot
