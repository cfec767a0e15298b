#pragma once
// A real btrfs filesystem for tests: a sparse image file attached to a loop device, formatted,
// mounted, with one subvolume ("data") ready to hold a datadir. The destructor unmounts, detaches
// and deletes everything, whatever state a failed test left it in (subvolumes, snapshots and
// open files included).
//
//   if (auto reason = BtrfsLoopVolume::unavailable_reason(); !reason.empty()) GTEST_SKIP() <<
//   reason; auto volume = BtrfsLoopVolume::create().value(); write files under volume->subvolume()
//   …
//
// Directories are 0755 so a server running as user `mysql` can reach a datadir inside.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "dbkeep/core/error.hpp"

namespace dbkeep::test {

class BtrfsLoopVolume {
 public:
  // Why this machine cannot host the fixture (not root, no loop devices, no mkfs.btrfs, no
  // btrfs in the kernel), or an empty string when it can.
  static std::string unavailable_reason();

  // Builds the volume. On failure, whatever was set up is torn down again.
  static Result<std::unique_ptr<BtrfsLoopVolume>> create(std::uint64_t size_bytes = 512ull << 20);

  ~BtrfsLoopVolume();
  BtrfsLoopVolume(const BtrfsLoopVolume&) = delete;
  BtrfsLoopVolume& operator=(const BtrfsLoopVolume&) = delete;

  // Root of the mounted filesystem.
  [[nodiscard]] std::filesystem::path mount_dir() const { return base_ / "mnt"; }
  // The subvolume created at mount_dir()/data.
  [[nodiscard]] std::filesystem::path subvolume() const { return mount_dir() / "data"; }
  // The loop device, e.g. "/dev/loop3".
  [[nodiscard]] const std::string& device() const { return device_; }

 private:
  BtrfsLoopVolume() = default;
  Result<void> set_up(std::uint64_t size_bytes);
  void tear_down();

  std::filesystem::path base_;  // temp dir holding the image file and the mount directory
  std::string device_;
  bool mounted_ = false;
};

}  // namespace dbkeep::test
