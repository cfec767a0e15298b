#include "dbkeep/core/abandoned_files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "dbkeep/core/fd.hpp"

namespace dbkeep::core {

Result<void> claim_temporary_file(int fd, const std::filesystem::path& path) {
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) return fail(errno_message("lock " + path.string(), errno));
  }
  return {};
}

void remove_abandoned_files(const std::filesystem::path& directory,
                            const std::function<bool(const std::string& name)>& matches) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (!matches(entry.path().filename().string())) continue;
    Fd candidate(::open(entry.path().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!candidate) continue;
    if (::flock(candidate.get(), LOCK_EX | LOCK_NB) != 0) continue;  // its writer is alive
    ::unlink(entry.path().c_str());
  }
}

}  // namespace dbkeep::core
