#include "dbkeep/core/private_directory.hpp"

#include <sys/stat.h>

#include <cerrno>

namespace dbkeep::core {

Result<void> create_private_directories(const std::filesystem::path& directory) {
  constexpr mode_t kPrivate = 0700;
  std::filesystem::path current;
  for (const auto& component : directory) {
    current /= component;
    if (::mkdir(current.c_str(), kPrivate) == 0) {
      // mkdir applies the umask; chmod makes it exactly 0700.
      if (::chmod(current.c_str(), kPrivate) != 0) {
        return fail(errno_message("chmod " + current.string(), errno));
      }
    } else if (errno != EEXIST) {
      return fail(errno_message("creating directory " + current.string(), errno));
    }
  }
  return {};
}

}  // namespace dbkeep::core
