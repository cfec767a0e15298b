#include "dbkeep/core/fd_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "dbkeep/core/fd.hpp"

namespace dbkeep::core {

std::string write_error_message(const std::filesystem::path& path, int error_number) {
  if (error_number == ENOSPC || error_number == EDQUOT) {
    return errno_message("disk full writing " + path.string(), error_number);
  }
  return errno_message("writing " + path.string(), error_number);
}

Result<void> write_fully(int fd, std::span<const std::byte> data,
                         const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return fail(write_error_message(path, errno));
    data = data.subspan(static_cast<std::size_t>(written));
  }
  return {};
}

Result<std::size_t> read_some(int fd, std::span<std::byte> buffer,
                              const std::filesystem::path& path) {
  std::size_t total = 0;
  while (total < buffer.size()) {
    ssize_t got = ::read(fd, buffer.data() + total, buffer.size() - total);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail(errno_message("reading " + path.string(), errno));
    if (got == 0) break;
    total += static_cast<std::size_t>(got);
  }
  return total;
}

Result<void> sync_filesystem(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd || ::syncfs(fd.get()) != 0) return fail(errno_message("syncfs " + path.string(), errno));
  return {};
}

Result<void> sync_directory(const std::filesystem::path& directory) {
  Fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail(errno_message("opening directory " + directory.string(), errno));
  if (::fsync(fd.get()) != 0) return fail(errno_message("fsync " + directory.string(), errno));
  return {};
}

}  // namespace dbkeep::core
