#include "dbkeep/source/snapshot/mount_point.hpp"

#include <unistd.h>

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/private_directory.hpp"

namespace dbkeep::source::snapshot {
namespace fs = std::filesystem;

std::string mount_point_problem(const fs::path& mount_point) {
  std::error_code error;
  if (fs::exists(mount_point, error)) {
    return fs::is_directory(mount_point, error) ? "" : mount_point.string() + " is not a directory";
  }
  fs::path ancestor = mount_point.parent_path();
  while (!ancestor.empty() && !fs::exists(ancestor, error)) ancestor = ancestor.parent_path();
  if (ancestor.empty()) ancestor = ".";
  if (!fs::is_directory(ancestor, error)) return ancestor.string() + " is not a directory";
  if (::access(ancestor.c_str(), W_OK | X_OK) != 0) {
    return ancestor.string() + " is not writable, so the mount point cannot be created in it";
  }
  return "";
}

Result<void> prepare_mount_point(const fs::path& mount_point) {
  if (auto problem = mount_point_problem(mount_point); !problem.empty()) {
    return usage_error("snapshot.mount_point " + mount_point.string() + ": " + problem);
  }
  std::error_code error;
  if (fs::exists(mount_point, error)) return {};
  TRY(core::create_private_directories(mount_point));
  log::info("created snapshot mount point " + mount_point.string() + " (mode 0700)");
  return {};
}

}  // namespace dbkeep::source::snapshot
