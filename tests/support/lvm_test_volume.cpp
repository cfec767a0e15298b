#include "support/lvm_test_volume.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/source/snapshot/lvm_sizing.hpp"
#include "support/run_command.hpp"

namespace dbkeep::test {
namespace {

namespace fs = std::filesystem;

// Every /proc/mounts line whose mount point is `path`: {device, options}.
std::vector<std::pair<std::string, std::string>> mounts_at(const fs::path& path) {
  std::ifstream mounts("/proc/mounts");
  std::vector<std::pair<std::string, std::string>> found;
  std::string device, mount_point, type, options, rest;
  while (mounts >> device >> mount_point >> type >> options && std::getline(mounts, rest)) {
    if (mount_point == path.string()) found.emplace_back(device, options);
  }
  return found;
}

// Every /proc/mounts line whose device is the LV VG/LV (listed as /dev/mapper/VG-LV; the tests'
// names have no '-', which device-mapper would double): {device, mount point}.
std::vector<std::pair<std::string, std::string>> mounts_of_device(const std::string& group,
                                                                  const std::string& lv) {
  std::ifstream mounts("/proc/mounts");
  std::vector<std::pair<std::string, std::string>> found;
  std::string device, mount_point, rest;
  while (mounts >> device >> mount_point && std::getline(mounts, rest)) {
    if (device == "/dev/mapper/" + group + "-" + lv || device == "/dev/" + group + "/" + lv) {
      found.emplace_back(device, mount_point);
    }
  }
  return found;
}

}  // namespace

std::string LvmTestVolume::unavailable_reason() {
  if (volume_group().empty()) {
    return "needs a real LVM volume group (DBKEEP_TEST_LVM_VG), which only the test guest has: "
           "ctest -L vm runs it there (see docs/vm-tests.md)";
  }
  if (::geteuid() != 0) return "needs root";
  for (const char* tool : {"/sbin/lvcreate", "/sbin/mkfs.ext4", "/sbin/mkfs.xfs"}) {
    if (::access(tool, X_OK) != 0) return std::string(tool) + " is not installed";
  }
  return {};
}

std::string LvmTestVolume::volume_group() {
  const char* group = std::getenv("DBKEEP_TEST_LVM_VG");
  return group ? group : "";
}

Result<std::unique_ptr<LvmTestVolume>> LvmTestVolume::create(const std::string& name,
                                                             std::uint64_t size_bytes,
                                                             const std::string& filesystem) {
  std::unique_ptr<LvmTestVolume> volume(new LvmTestVolume());
  volume->name_ = name;
  if (auto ready = volume->set_up(size_bytes, filesystem); !ready) {
    return propagate(ready.error().with_context("setting up test LV " + name));
  }
  return volume;
}

Result<void> LvmTestVolume::set_up(std::uint64_t size_bytes, const std::string& filesystem) {
  std::string pattern = (fs::temp_directory_path() / "dbkeep-lvm-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return fail(errno_message("mkdtemp", errno));
  base_ = pattern;
  std::error_code error;
  fs::permissions(base_, fs::perms(0755), error);
  fs::create_directory(mount_dir(), error);
  if (error) return fail("creating " + mount_dir().string() + ": " + error.message());

  // -Wy -Zy: wipe old signatures and zero the start, so a reused extent never looks formatted.
  TRY(run_command({"lvcreate", "-q", "-Wy", "-Zy", "--yes", "-L",
                   source::snapshot::lvm::format_size_argument(size_bytes), "-n", name_,
                   volume_group()}));
  created_ = true;
  if (filesystem.empty()) return {};
  if (filesystem == "xfs") {
    TRY(run_command({"mkfs.xfs", "-q", "-K", lv_path()}));  // -K: no discard, slow on a sparse disk
  } else {
    TRY(run_command({"mkfs." + filesystem, "-q", "-E", "nodiscard", lv_path()}));
  }
  TRY(run_command({"mount", lv_path(), mount_dir().string()}));
  mounted_ = true;
  fs::permissions(mount_dir(), fs::perms(0755), error);
  return {};
}

LvmTestVolume::~LvmTestVolume() {
  tear_down();
}

void LvmTestVolume::tear_down() {
  auto report = [](const Result<core::CommandResult>& result) {
    if (!result) std::cerr << "LvmTestVolume cleanup: " << result.error().message << "\n";
    return result.has_value();
  };
  if (mounted_) {
    mounted_ = !report(run_command({"umount", mount_dir().string()})) &&
               !report(run_command({"umount", "-l", mount_dir().string()}));
  }
  if (created_ && !mounted_) {
    // Snapshots a failed test left behind go first: their mounts, then the snapshot LVs
    // (lvremove of an origin with snapshots would remove those too, but not while mounted).
    auto listing = lvm_query({"lvs", "--noheadings", "-o", "lv_name,origin", volume_group()});
    std::istringstream lines(listing ? *listing : "");
    for (std::string line; std::getline(lines, line);) {
      std::string lv, origin;
      std::istringstream(line) >> lv >> origin;
      if (origin != name_) continue;
      for (const auto& [device, mount_point] : mounts_of_device(volume_group(), lv)) {
        report(run_command({"umount", "-l", mount_point}));
      }
    }
    created_ = !report(run_command({"lvremove", "-f", volume_group() + "/" + name_}));
  }
  if (!base_.empty() && !mounted_) {
    std::error_code ignored;
    fs::remove_all(base_, ignored);
  }
}

Result<std::string> lvm_query(std::vector<std::string> argv) {
  TRY_ASSIGN(auto result, run_command(std::move(argv)));
  return result.stdout_text;
}

Result<std::uint64_t> lvm_bytes(const std::string& command, const std::string& field,
                                const std::string& target) {
  TRY_ASSIGN(auto text, lvm_query({command, "--noheadings", "--units", "b", "--nosuffix", "-o",
                                   field, target}));
  return source::snapshot::lvm::parse_byte_count(text);
}

std::vector<std::string> lvm_volume_names() {
  auto text = lvm_query({"lvs", "--noheadings", "-o", "lv_name", LvmTestVolume::volume_group()});
  std::vector<std::string> names;
  std::istringstream words(text ? *text : "");
  for (std::string name; words >> name;) names.push_back(name);
  return names;
}

bool is_mount_point(const fs::path& path) {
  return !mounts_at(path).empty();
}

std::string mount_options_of(const fs::path& path) {
  auto found = mounts_at(path);
  return found.empty() ? "" : found.back().second;
}

}  // namespace dbkeep::test
