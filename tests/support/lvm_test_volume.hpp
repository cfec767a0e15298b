#pragma once
// A real LVM logical volume for tests that run inside the test guest (tests/vm), where the
// kernel has device-mapper and a scratch volume group exists. The guest suite names that group
// in DBKEEP_TEST_LVM_VG; everywhere else unavailable_reason() says why the test is skipped.
//
//   if (auto reason = LvmTestVolume::unavailable_reason(); !reason.empty()) GTEST_SKIP() << reason;
//   auto volume = LvmTestVolume::create("data_ext4", 128 * kMiB, "ext4").value();
//   write files under volume->mount_dir(); snapshot volume->lv_path() …
//
// The LV is formatted and mounted read-write (mount_dir() is 0755, so a server running as user
// `mysql` can reach a datadir inside). The destructor unmounts and removes it, together with any
// snapshot of it a failed test left behind.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::test {

class LvmTestVolume {
 public:
  // Empty inside the guest (root, DBKEEP_TEST_LVM_VG set, LVM tools present), else the reason.
  static std::string unavailable_reason();
  // The scratch volume group (DBKEEP_TEST_LVM_VG).
  static std::string volume_group();

  // lvcreate NAME of `size_bytes` in the scratch group; formats it with `filesystem` ("ext4",
  // "xfs") and mounts it, unless `filesystem` is empty (a raw LV, for sizing tests).
  static Result<std::unique_ptr<LvmTestVolume>> create(const std::string& name,
                                                       std::uint64_t size_bytes,
                                                       const std::string& filesystem);

  ~LvmTestVolume();
  LvmTestVolume(const LvmTestVolume&) = delete;
  LvmTestVolume& operator=(const LvmTestVolume&) = delete;

  // "/dev/VG/NAME", what snapshot.volume names.
  [[nodiscard]] std::string lv_path() const { return "/dev/" + volume_group() + "/" + name_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::filesystem::path mount_dir() const { return base_ / "mnt"; }

 private:
  LvmTestVolume() = default;
  Result<void> set_up(std::uint64_t size_bytes, const std::string& filesystem);
  void tear_down();

  std::string name_;
  std::filesystem::path base_;  // temp dir holding the mount directory
  bool created_ = false;
  bool mounted_ = false;
};

// Runs an LVM or other system command in the guest (LC_ALL=C) and returns its stdout; a test
// helper for queries such as `lvs`, failing with the command's stderr.
Result<std::string> lvm_query(std::vector<std::string> argv);

// Byte counts as lvs/vgs report them: "lvs --units b --nosuffix -o FIELD TARGET".
Result<std::uint64_t> lvm_bytes(const std::string& command, const std::string& field,
                                const std::string& target);

// Names of the logical volumes in the scratch group.
std::vector<std::string> lvm_volume_names();

// Whether `path` is a mount point, and the options it is mounted with (from /proc/mounts).
bool is_mount_point(const std::filesystem::path& path);
std::string mount_options_of(const std::filesystem::path& path);

}  // namespace dbkeep::test
