#include "dbkeep/core/stderr_logger.hpp"

#include <unistd.h>

#include <cerrno>

#include "dbkeep/core/log.hpp"

namespace dbkeep::core {

StderrLogger::StderrLogger(Fd stderr_read_end, std::string prefix, std::size_t tail_lines)
    : fd_(std::move(stderr_read_end)), prefix_(std::move(prefix)), tail_lines_(tail_lines) {
  thread_ = std::thread([this] { run(); });
}

StderrLogger::~StderrLogger() {
  join();
}

void StderrLogger::join() {
  if (thread_.joinable()) thread_.join();
}

std::string StderrLogger::tail() const {
  std::lock_guard lock(mutex_);
  std::string text;
  for (const auto& line : tail_) text += (text.empty() ? "" : "\n") + line;
  return text;
}

void StderrLogger::keep(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return;
  line = log::redact(line);
  log::debug(prefix_ + ": " + line);
  std::lock_guard lock(mutex_);
  tail_.push_back(std::move(line));
  while (tail_.size() > tail_lines_) tail_.pop_front();
}

void StderrLogger::run() {
  std::string pending;
  char buffer[4096];
  while (true) {
    ssize_t got = ::read(fd_.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(got));
    std::size_t start = 0;
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n', start)) {
      keep(pending.substr(start, end - start));
      start = end + 1;
    }
    pending.erase(0, start);
  }
  keep(std::move(pending));
  fd_.reset();
}

}  // namespace dbkeep::core
