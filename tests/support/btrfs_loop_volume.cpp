#include "support/btrfs_loop_volume.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "dbkeep/core/command_runner.hpp"
#include "support/run_command.hpp"

namespace dbkeep::test {
namespace {

bool program_exists(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream directories(path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    if (::access((std::filesystem::path(directory) / name).c_str(), X_OK) == 0) return true;
  }
  // Root's tools live in sbin, which a test runner's PATH may lack.
  for (const char* sbin : {"/usr/sbin/", "/sbin/"}) {
    if (::access((std::string(sbin) + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

bool kernel_supports_btrfs() {
  std::ifstream filesystems("/proc/filesystems");
  std::string line;
  while (std::getline(filesystems, line)) {
    if (line.ends_with("\tbtrfs")) return true;
  }
  return std::filesystem::exists("/sys/fs/btrfs");
}

}  // namespace

std::string BtrfsLoopVolume::unavailable_reason() {
  if (::geteuid() != 0) return "needs root (loop devices and mount)";
  if (!std::filesystem::exists("/dev/loop-control")) return "no loop devices (/dev/loop-control)";
  for (const char* tool : {"losetup", "mkfs.btrfs", "btrfs", "mount", "umount"}) {
    if (!program_exists(tool)) return std::string(tool) + " is not installed (btrfs-progs)";
  }
  if (!kernel_supports_btrfs()) return "the kernel has no btrfs support";
  return {};
}

Result<std::unique_ptr<BtrfsLoopVolume>> BtrfsLoopVolume::create(std::uint64_t size_bytes) {
  std::unique_ptr<BtrfsLoopVolume> volume(new BtrfsLoopVolume());
  if (auto ready = volume->set_up(size_bytes); !ready) {
    return propagate(ready.error().with_context("setting up a btrfs loop volume"));
  }
  return volume;
}

Result<void> BtrfsLoopVolume::set_up(std::uint64_t size_bytes) {
  std::string pattern = (std::filesystem::temp_directory_path() / "dbkeep-btrfs-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return fail(errno_message("mkdtemp", errno));
  base_ = pattern;
  std::error_code error;
  std::filesystem::permissions(base_, std::filesystem::perms(0755), error);
  std::filesystem::create_directory(mount_dir(), error);
  if (error) return fail("creating " + mount_dir().string() + ": " + error.message());

  const std::string image = (base_ / "volume.img").string();
  TRY(run_command({"truncate", "-s", std::to_string(size_bytes), image}));
  TRY_ASSIGN(auto attached, run_command({"losetup", "-f", "--show", image}));
  std::istringstream(attached.stdout_text) >> device_;
  if (device_.empty()) return fail("losetup printed no device");
  TRY(run_command({"mkfs.btrfs", "-q", device_}));
  TRY(run_command({"mount", device_, mount_dir().string()}));
  mounted_ = true;
  TRY(run_command({"btrfs", "subvolume", "create", subvolume().string()}));
  std::filesystem::permissions(mount_dir(), std::filesystem::perms(0755), error);
  std::filesystem::permissions(subvolume(), std::filesystem::perms(0755), error);
  return {};
}

BtrfsLoopVolume::~BtrfsLoopVolume() {
  tear_down();
}

void BtrfsLoopVolume::tear_down() {
  auto report = [](const Result<core::CommandResult>& result) {
    if (!result) std::cerr << "BtrfsLoopVolume cleanup: " << result.error().message << "\n";
    return result.has_value();
  };
  if (mounted_) {
    // Subvolumes and snapshots go with the filesystem; a lazy unmount copes with a file a
    // failed test left open.
    mounted_ = !report(run_command({"umount", mount_dir().string()})) &&
               !report(run_command({"umount", "-l", mount_dir().string()}));
  }
  if (!device_.empty() && report(run_command({"losetup", "-d", device_}))) device_.clear();
  if (!base_.empty() && !mounted_) {
    std::error_code ignored;
    std::filesystem::remove_all(base_, ignored);
  }
}

}  // namespace dbkeep::test
