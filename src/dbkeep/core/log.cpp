#include "dbkeep/core/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <mutex>
#include <vector>

namespace dbkeep::log {
namespace {

struct State {
  std::mutex mutex;
  Options options;
  int file_fd = -1;
  std::vector<std::string> secrets;
};

State& state() {
  static State instance;
  return instance;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarn:
      return "WARN";
    case Level::kError:
      return "ERROR";
  }
  return "INFO";
}

std::string redact_locked(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (auto pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 3)) {
      out.replace(pos, secret.size(), "***");
    }
  }
  return out;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;  // logging must never throw or abort the backup
    data.remove_prefix(static_cast<size_t>(written));
  }
}

}  // namespace

void configure(const Options& options) {
  std::lock_guard lock(state().mutex);
  state().options = options;
}

Result<void> open_file(const std::filesystem::path& path) {
  // A log under a directory that does not exist yet (/var/log/dbkeep on a fresh host) gets
  // it created, as the repository and state directories are.
  if (path.has_parent_path()) {
    std::error_code ignored;  // a failure shows up in open() below, with its reason
    std::filesystem::create_directories(path.parent_path(), ignored);
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return fail(errno_message("cannot open log file " + path.string(), errno));
  std::lock_guard lock(state().mutex);
  if (state().file_fd >= 0) ::close(state().file_fd);
  state().file_fd = fd;
  return {};
}

void close_file() {
  std::lock_guard lock(state().mutex);
  if (state().file_fd >= 0) ::close(state().file_fd);
  state().file_fd = -1;
}

std::string format_line(Level level, std::string_view message) {
  auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
  std::string line;
  line.reserve(message.size() + 40);
  line.append("[").append(stamp).append("] [").append(level_name(level)).append("] ");
  line.append(message).append("\n");
  return line;
}

void write(Level level, std::string_view message) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  std::string line = format_line(level, redact_locked(message, s.secrets));
  if (s.options.terminal && level >= s.options.terminal_level) write_all(STDERR_FILENO, line);
  if (s.file_fd >= 0) write_all(s.file_fd, line);
}

void register_secret(std::string secret) {
  if (secret.size() < 3) return;  // masking 1-2 characters would shred every line
  std::lock_guard lock(state().mutex);
  state().secrets.push_back(std::move(secret));
}

std::string redact(std::string_view text) {
  std::lock_guard lock(state().mutex);
  return redact_locked(text, state().secrets);
}

}  // namespace dbkeep::log
