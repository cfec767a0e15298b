#include "dbkeep/core/free_space.hpp"

#include <sys/statvfs.h>

#include <cerrno>

namespace dbkeep::core {

Result<std::uint64_t> filesystem_free_bytes(const std::filesystem::path& path) {
  std::filesystem::path probe = path;
  while (!probe.empty() && !std::filesystem::exists(probe)) probe = probe.parent_path();
  if (probe.empty()) probe = ".";
  struct statvfs info {};
  if (::statvfs(probe.c_str(), &info) != 0) {
    return fail(errno_message("cannot read free space of " + probe.string(), errno));
  }
  return static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize;
}

}  // namespace dbkeep::core
