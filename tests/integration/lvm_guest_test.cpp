// The LVM snapshot provider against real LVM: runs only inside the test guest (tests/vm), whose
// kernel has device-mapper, with a scratch volume group named in DBKEEP_TEST_LVM_VG; skipped
// everywhere else. Every command is real: lvs, lvcreate --snapshot, blkid, mount, umount,
// lvremove. The command sequences themselves are unit-tested in tests/unit.

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
#include "dbkeep/source/snapshot/lvm_sizing.hpp"
#include "dbkeep/source/snapshot/snapshot_guard.hpp"
#include "dbkeep/source/snapshot/snapshot_provider.hpp"
#include "support/lvm_test_volume.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::source::snapshot {
namespace {

using test::read_file;

namespace fs = std::filesystem;
using lvm::kMiB;
using test::LvmTestVolume;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// Writes and fsyncs, so the blocks reach the origin LV (and its snapshot copies the old ones).
void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(::fsync(fd), 0);
  ::close(fd);
}

// `mib` MiB of non-zero data in one file, fsync'd.
void write_mib(const fs::path& path, int mib) {
  write_file(path, std::string(static_cast<std::size_t>(mib) * kMiB, 'x'));
}

class LvmGuestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = LvmTestVolume::unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
  }

  SnapshotOptions options_for(const LvmTestVolume& volume, std::optional<std::uint64_t> size) {
    return SnapshotOptions{.provider = ProviderKind::kLvm,
                           .volumes = {volume.lv_path()},
                           .size_bytes = size,
                           .mount_point = scratch_.path() / "snapshot",
                           .name = volume.name() + "_snap",
                           .retry = {.attempts = 3, .pause = std::chrono::milliseconds(500)}};
  }
  fs::path journal_file() const { return scratch_.path() / "state" / "main.resources.json"; }
  std::string snapshot_lv(const LvmTestVolume& volume) const {
    return LvmTestVolume::volume_group() + "/" + volume.name() + "_snap";
  }

  core::TempDir scratch_ = test::make_temp_dir();
  core::SystemCommandRunner runner_;
};

// ext4 and XFS: the snapshot is mounted read-only with the options that keep it from writing
// (noload; nouuid,norecovery while the origin with the same UUID is mounted), shows the data as
// it was, and is unmounted and removed by the guard.
class LvmFilesystemTest : public LvmGuestTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(LvmFilesystemTest, SnapshotKeepsOldContentIsReadOnlyAndIsRemoved) {
  const std::string filesystem = GetParam();
  // mkfs.xfs refuses filesystems under 300 MB.
  auto volume = LvmTestVolume::create("data_" + filesystem, 320 * kMiB, filesystem);
  ASSERT_TRUE(volume) << volume.error().message;
  const fs::path live = (*volume)->mount_dir();
  write_file(live / "ibdata1", "balance=100\n");
  write_file(live / "bank" / "accounts.ibd", "alice=60 bob=40\n");

  auto journal = core::ResourceJournal::open(journal_file()).value();
  auto provider =
      make_snapshot_provider(options_for(**volume, 64 * kMiB), runner_, journal).value();
  ASSERT_TRUE(provider->prepare());
  SnapshotGuard guard(std::move(provider));
  auto created = guard->create();
  ASSERT_TRUE(created) << created.error().message;
  auto mounted = guard->mount();
  ASSERT_TRUE(mounted) << mounted.error().message;
  const fs::path snapshot = guard->readable_path();
  EXPECT_EQ(journal.entries().size(), 2u);  // the snapshot and its mount
  EXPECT_THAT(test::lvm_volume_names(), Contains((*volume)->name() + "_snap"));

  const std::string options = test::mount_options_of(snapshot);
  EXPECT_THAT(options, ::testing::StartsWith("ro,"));
  if (filesystem == "xfs") {
    EXPECT_THAT(options, HasSubstr("nouuid"));
    EXPECT_THAT(options, HasSubstr("norecovery"));
  }

  // The server keeps writing to the live volume…
  write_file(live / "ibdata1", "balance=70\n");
  write_file(live / "bank" / "new_table.ibd", "created after the snapshot\n");
  fs::remove(live / "bank" / "accounts.ibd");
  ::sync();

  // …while the snapshot still shows the moment it was taken.
  EXPECT_EQ(read_file(snapshot / "ibdata1"), "balance=100\n");
  EXPECT_EQ(read_file(snapshot / "bank" / "accounts.ibd"), "alice=60 bob=40\n");
  EXPECT_FALSE(fs::exists(snapshot / "bank" / "new_table.ibd"));
  errno = 0;
  EXPECT_EQ(::open((snapshot / "intruder").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600), -1);
  EXPECT_EQ(errno, EROFS);
  auto healthy = guard->check_health();
  EXPECT_TRUE(healthy) << healthy.error().message;

  auto released = guard.release();
  ASSERT_TRUE(released) << released.error().message;
  EXPECT_FALSE(test::is_mount_point(snapshot));
  EXPECT_THAT(test::lvm_volume_names(), Not(Contains((*volume)->name() + "_snap")));
  EXPECT_TRUE(journal.entries().empty());
  EXPECT_EQ(read_file(live / "ibdata1"), "balance=70\n");  // the origin is untouched
}

INSTANTIATE_TEST_SUITE_P(Filesystems, LvmFilesystemTest, ::testing::Values("ext4", "xfs"));

// The health check reads the real fill level: past the limit it fails and names a better size.
TEST_F(LvmGuestTest, HealthCheckFailsOnceTheSnapshotIsFullerThanTheLimit) {
  auto volume = LvmTestVolume::create("fill", 128 * kMiB, "ext4");
  ASSERT_TRUE(volume) << volume.error().message;
  auto journal = core::ResourceJournal::open(journal_file()).value();
  auto options = options_for(**volume, 32 * kMiB);
  options.fill_limit_percent = 10;
  auto provider = make_snapshot_provider(options, runner_, journal).value();
  ASSERT_TRUE(provider->prepare());
  SnapshotGuard guard(std::move(provider));
  ASSERT_TRUE(guard->create());
  ASSERT_TRUE(guard->mount());
  EXPECT_TRUE(guard->check_health());

  write_mib((*volume)->mount_dir() / "churn", 8);  // ~25% of the copy-on-write space
  auto health = guard->check_health();
  ASSERT_FALSE(health);
  EXPECT_THAT(health.error().message, HasSubstr("% full (limit 10%)"));
  EXPECT_THAT(health.error().message, HasSubstr("snapshot.size"));
  EXPECT_TRUE(guard.release());
  EXPECT_THAT(test::lvm_volume_names(), Not(Contains((*volume)->name() + "_snap")));
}

// A tiny snapshot and heavy writes to the origin: the snapshot overflows and is invalidated by
// the kernel. The health check says so; unmounting and removing the dead snapshot still work.
TEST_F(LvmGuestTest, OverflowedSnapshotFailsTheHealthCheckAndIsStillRemoved) {
  auto volume = LvmTestVolume::create("overflow", 128 * kMiB, "ext4");
  ASSERT_TRUE(volume) << volume.error().message;
  auto journal = core::ResourceJournal::open(journal_file()).value();
  auto provider = make_snapshot_provider(options_for(**volume, 4 * kMiB), runner_, journal).value();
  ASSERT_TRUE(provider->prepare());
  SnapshotGuard guard(std::move(provider));
  ASSERT_TRUE(guard->create());
  ASSERT_TRUE(guard->mount());

  write_mib((*volume)->mount_dir() / "churn", 32);
  auto health = guard->check_health();
  ASSERT_FALSE(health);
  EXPECT_THAT(health.error().message, HasSubstr("overflowed"));
  EXPECT_THAT(health.error().message, HasSubstr("Make snapshot.size at least 1.0 GiB"));

  auto released = guard.release();
  EXPECT_TRUE(released) << released.error().message;
  EXPECT_FALSE(test::is_mount_point(scratch_.path() / "snapshot"));
  EXPECT_THAT(test::lvm_volume_names(), Not(Contains((*volume)->name() + "_snap")));
  EXPECT_TRUE(journal.entries().empty());
}

// Without snapshot.size the size comes from the origin LV and the VG's free space (see
// lvm_sizing.hpp); lvcreate rounds up to whole extents.
TEST_F(LvmGuestTest, AutomaticSizeFollowsTheVolumeAndTheFreeSpace) {
  const std::string group = LvmTestVolume::volume_group();
  const std::uint64_t extent = test::lvm_bytes("vgs", "vg_extent_size", group).value();
  auto snapshot_size_for = [&](const LvmTestVolume& volume) -> Result<std::uint64_t> {
    auto journal = core::ResourceJournal::open(journal_file()).value();
    auto provider = make_snapshot_provider(options_for(volume, std::nullopt), runner_, journal);
    if (!provider) return propagate(provider.error());
    TRY((*provider)->prepare());
    SnapshotGuard guard(std::move(*provider));
    TRY(guard->create());
    auto size = test::lvm_bytes("lvs", "lv_size", snapshot_lv(volume));
    TRY(guard.release());
    return size;
  };
  auto expected_size = [&](const LvmTestVolume& volume) {
    auto lv_size = test::lvm_bytes("lvs", "lv_size", volume.lv_path()).value();
    auto free = test::lvm_bytes("vgs", "vg_free", group).value();
    auto size = lvm::auto_snapshot_size(lv_size, free, group).value();
    return (size + extent - 1) / extent * extent;
  };

  // A big LV: 15% of it (1.2 GiB of 8 GiB).
  auto big = LvmTestVolume::create("auto_big", 8 * lvm::kGiB, "").value();
  const std::uint64_t fifteen_percent = expected_size(*big);
  EXPECT_GT(fifteen_percent, lvm::kGiB);
  EXPECT_EQ(snapshot_size_for(*big).value(), fifteen_percent);

  // A small LV: never more than the LV itself (the 1 GiB floor would exceed it).
  auto small = LvmTestVolume::create("auto_small", 64 * kMiB, "").value();
  EXPECT_EQ(snapshot_size_for(*small).value(), 64 * kMiB);

  // A nearly full VG caps the size at what is free…
  const std::uint64_t free = test::lvm_bytes("vgs", "vg_free", group).value();
  auto filler = LvmTestVolume::create("auto_filler", free - 512 * kMiB, "").value();
  EXPECT_EQ(expected_size(*big), 512 * kMiB);
  EXPECT_EQ(snapshot_size_for(*big).value(), 512 * kMiB);

  // …and refuses when too little is left to be useful.
  filler.reset();
  filler = LvmTestVolume::create("auto_filler", free - 128 * kMiB, "").value();
  auto refused = snapshot_size_for(*big);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("too little for a snapshot"));
  EXPECT_THAT(test::lvm_volume_names(), Not(Contains("auto_big_snap")));
}

// A child takes and mounts the snapshot, then is SIGKILLed: no destructor runs. The next run finds
// both in the journal, unmounts and removes them, and can take its own snapshot again.
TEST_F(LvmGuestTest, NextRunUnmountsAndRemovesWhatAKilledRunLeft) {
  auto volume = LvmTestVolume::create("killed", 128 * kMiB, "ext4");
  ASSERT_TRUE(volume) << volume.error().message;
  write_file((*volume)->mount_dir() / "ibdata1", "balance=100\n");
  const auto options = options_for(**volume, 16 * kMiB);

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto journal = core::ResourceJournal::open(journal_file());
    if (!journal) ::_exit(2);
    auto provider = make_snapshot_provider(options, runner_, *journal);
    if (!provider || !(*provider)->prepare() || !(*provider)->create() || !(*provider)->mount()) {
      ::_exit(3);
    }
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_TRUE(test::is_mount_point(options.mount_point));
  EXPECT_EQ(read_file(options.mount_point / "ibdata1"), "balance=100\n");
  ASSERT_THAT(test::lvm_volume_names(), Contains(options.name));

  auto journal = core::ResourceJournal::open(journal_file()).value();
  ASSERT_EQ(journal.entries().size(), 2u);
  auto recovered = recover_leftovers(journal, runner_);
  ASSERT_TRUE(recovered) << recovered.error().message;
  EXPECT_FALSE(test::is_mount_point(options.mount_point));
  EXPECT_THAT(test::lvm_volume_names(), Not(Contains(options.name)));
  EXPECT_TRUE(journal.entries().empty());
  EXPECT_TRUE(recover_leftovers(journal, runner_));  // nothing left: harmless

  auto provider = make_snapshot_provider(options, runner_, journal).value();
  ASSERT_TRUE(provider->prepare());
  SnapshotGuard guard(std::move(provider));
  ASSERT_TRUE(guard->create());
  ASSERT_TRUE(guard->mount());
  EXPECT_TRUE(guard.release());
}

}  // namespace
}  // namespace dbkeep::source::snapshot
