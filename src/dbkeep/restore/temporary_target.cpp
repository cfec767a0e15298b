#include "dbkeep/restore/temporary_target.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "dbkeep/core/abandoned_files.hpp"
#include "dbkeep/core/fd_io.hpp"

namespace dbkeep::restore {

Result<TemporaryTarget> TemporaryTarget::create(const std::filesystem::path& target_in,
                                                std::string_view tag, mode_t mode) {
  auto target = std::filesystem::absolute(target_in);
  auto directory = target.parent_path();
  if (!std::filesystem::is_directory(directory)) {
    return usage_error("directory " + directory.string() + " does not exist");
  }
  const std::string prefix = "." + target.filename().string() + "." + std::string(tag) + "-";
  core::remove_abandoned_files(
      directory, [&prefix](const std::string& name) { return name.starts_with(prefix); });
  auto temp = directory / (prefix + std::to_string(::getpid()));
  core::Fd claim(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!claim) return fail(errno_message("cannot create " + temp.string(), errno));
  TemporaryTarget created(std::move(target), temp, std::move(claim));
  TRY(core::claim_temporary_file(created.fd(), temp));
  return created;
}

TemporaryTarget::TemporaryTarget(TemporaryTarget&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::exchange(other.temp_, {})),
      claim_(std::move(other.claim_)) {}

TemporaryTarget::~TemporaryTarget() {
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

Result<void> TemporaryTarget::commit() {
  if (::fsync(claim_.get()) != 0) return fail(core::write_error_message(temp_, errno));
  // The lock is held through the rename: closing first would let a sweeper take the file.
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    return fail(errno_message("cannot move " + temp_.string() + " to " + target_.string(), errno));
  }
  temp_.clear();
  claim_.reset();
  return core::sync_directory(target_.parent_path());
}

}  // namespace dbkeep::restore
