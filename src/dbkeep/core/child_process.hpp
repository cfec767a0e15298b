#pragma once
// A child process started from an argument vector (never through a shell). Move-only RAII:
// destroying a still-running child sends SIGTERM, then SIGKILL after a grace period, and
// reaps it, so no failure path leaves a process behind.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/fd.hpp"

namespace dbkeep::core {

struct SpawnOptions {
  std::vector<std::string> argv;                 // argv[0] is looked up in PATH
  std::map<std::string, std::string> extra_env;  // added to (or replacing in) our environment
  bool pipe_stdin = false;                       // else `stdin_from`, else /dev/null
  // A descriptor the child reads as its stdin, e.g. another child's stdout, so the bytes go
  // from one to the other through the kernel without passing through us. The caller keeps it
  // and closes its copy once the child has started.
  int stdin_from = -1;
  bool pipe_stdout = false;  // else inherited stderr (never our stdout:
  bool pipe_stderr = false;  //  --json output must stay clean)
  std::optional<std::string> working_directory;
};

struct ExitStatus {
  int exit_code = -1;  // valid when signal == 0
  int signal = 0;      // the signal that ended it, or 0
  [[nodiscard]] bool success() const { return signal == 0 && exit_code == 0; }
  [[nodiscard]] std::string describe() const;
};

class ChildProcess {
 public:
  static Result<ChildProcess> spawn(const SpawnOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const { return pid_; }
  Fd& stdin_fd() { return stdin_; }
  Fd& stdout_fd() { return stdout_; }
  Fd& stderr_fd() { return stderr_; }

  // Blocks until the child exits and returns how it ended.
  Result<ExitStatus> wait();
  // How the child ended, or nullopt while it still runs; never blocks.
  std::optional<ExitStatus> try_wait();
  // Sends SIGTERM, waits up to `grace`, then SIGKILL; reaps. Safe to call twice.
  ExitStatus terminate(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  Fd stdin_, stdout_, stderr_;
};

}  // namespace dbkeep::core
