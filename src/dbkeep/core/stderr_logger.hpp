#pragma once
// Forwards a child process's stderr to dbkeep's log, line by line, from a thread of its own, and
// keeps the last lines so a failure message can quote them. Every line passes through
// log::redact first: a tool may echo a secret we registered.
//
// The thread ends when the child closes its stderr (it exits); join() waits for that. The
// destructor joins too, so the logger must not outlive the child's pipe.

#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "dbkeep/core/fd.hpp"

namespace dbkeep::core {

class StderrLogger {
 public:
  // Takes ownership of `stderr_read_end`; lines are logged at debug level as "<prefix>: line".
  StderrLogger(Fd stderr_read_end, std::string prefix, std::size_t tail_lines = 20);
  StderrLogger(const StderrLogger&) = delete;
  StderrLogger& operator=(const StderrLogger&) = delete;
  ~StderrLogger();

  void join();
  // The last lines seen (redacted), newline-separated. Call after join() for the complete tail.
  [[nodiscard]] std::string tail() const;

 private:
  void run();
  void keep(std::string line);

  Fd fd_;
  std::string prefix_;
  std::size_t tail_lines_;
  mutable std::mutex mutex_;
  std::deque<std::string> tail_;
  std::thread thread_;
};

}  // namespace dbkeep::core
