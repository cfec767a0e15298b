#include "dbkeep/repo/set_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "dbkeep/core/private_directory.hpp"

namespace dbkeep::repo {
namespace {

std::string read_holder(int fd) {
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

Result<SetLock> SetLock::acquire(const std::filesystem::path& state_dir, const std::string& set) {
  std::filesystem::path directory = state_dir / "locks";
  if (auto created = core::create_private_directories(directory); !created) {
    return fail("cannot create lock directory " + directory.string() + ": " +
                created.error().message);
  }
  std::filesystem::path path = directory / (set + ".lock");
  core::Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  if (!fd) return fail(errno_message("cannot open lock file " + path.string(), errno));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return fail("another dbkeep (pid " + read_holder(fd.get()) + ") is working on set '" + set +
                      "' (lock " + path.string() + ")",
                  ErrorKind::kLocked);
    }
    return fail(errno_message("cannot lock " + path.string(), errno));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0 || ::pwrite(fd.get(), pid.data(), pid.size(), 0) < 0) {
    return fail(errno_message("cannot write lock file " + path.string(), errno));
  }
  return SetLock(std::move(fd), std::move(path));
}

}  // namespace dbkeep::repo
