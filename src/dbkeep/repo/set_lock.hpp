#pragma once
// One dbkeep at a time per repository + set: an flock(2) on <state_dir>/locks/<set>.lock.
// The kernel drops the lock when the holder dies, so a stale lock file never blocks. The
// holder writes its PID into the file so a second run can name it.

#include <filesystem>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/fd.hpp"

namespace dbkeep::repo {

class SetLock {
 public:
  // Fails with ErrorKind::kLocked naming the holder's PID when another process holds it.
  static Result<SetLock> acquire(const std::filesystem::path& state_dir, const std::string& set);

  SetLock(SetLock&&) noexcept = default;
  SetLock& operator=(SetLock&&) noexcept = default;
  ~SetLock() = default;  // closing the descriptor releases the flock

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  SetLock(core::Fd fd, std::filesystem::path path) : fd_(std::move(fd)), path_(std::move(path)) {}
  core::Fd fd_;
  std::filesystem::path path_;
};

}  // namespace dbkeep::repo
