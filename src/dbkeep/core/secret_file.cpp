#include "dbkeep/core/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>

#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/log.hpp"

namespace dbkeep::core {
namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// The checks run on the opened descriptor, so the file checked is the file read. O_NONBLOCK
// keeps a FIFO from blocking the open; it is refused right after.
Result<Fd> open_private_file(const std::filesystem::path& path, const std::string& named) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) return usage_error(errno_message(named + ": cannot read it", errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return usage_error(errno_message(named + ": cannot read it", errno));
  }
  if (!S_ISREG(info.st_mode)) {
    return usage_error(named + " is not a regular file; a secret belongs in a file of its own");
  }
  if ((info.st_mode & (S_IRGRP | S_IROTH)) != 0) {
    return usage_error(named + " is group- or world-readable (mode " + octal_mode(info.st_mode) +
                       "); run chmod 600 " + path.string());
  }
  return fd;
}

Result<std::string> read_content(const Fd& fd, const std::filesystem::path& path) {
  std::string content;
  std::array<std::byte, 4096> buffer{};
  for (;;) {
    TRY_ASSIGN(auto got, read_some(fd.get(), buffer, path));
    if (got == 0) return content;
    content.append(reinterpret_cast<const char*>(buffer.data()), got);
  }
}

}  // namespace

Result<std::string> read_secret_file(const std::filesystem::path& path, std::string_view what,
                                     SecretForm form) {
  const std::string named = std::string(what) + " " + path.string();
  TRY_ASSIGN(auto fd, open_private_file(path, named));
  TRY_ASSIGN(auto secret, read_content(fd, path));
  if (form == SecretForm::kLine) {
    if (secret.ends_with('\n')) secret.pop_back();
    if (secret.ends_with('\r')) secret.pop_back();
    if (secret.find('\n') != std::string::npos) {
      log::register_secret(secret);
      return usage_error(named + " holds more than one line; put the secret alone in it");
    }
  }
  if (secret.empty()) return usage_error(named + " is empty");
  log::register_secret(secret);
  return secret;
}

}  // namespace dbkeep::core
