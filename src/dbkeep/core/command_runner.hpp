#pragma once
// Runs external programs to completion and captures their output. Every external command
// (lvcreate, mount, btrfs, zfs, mariabackup --prepare, …) goes through this interface so tests
// can replay exact command sequences where this machine lacks the real tool (LVM, ZFS).

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

struct Command {
  std::vector<std::string> argv;
  std::map<std::string, std::string> extra_env;
  std::optional<std::string> stdin_data;
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};  // then SIGTERM, SIGKILL

  [[nodiscard]] std::string display() const;  // argv joined by spaces, for logs
};

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  std::string stdout_text;
  std::string stderr_text;
  bool timed_out = false;
  [[nodiscard]] bool success() const { return exit_code == 0 && !timed_out; }
  // "exit code N: <last stderr line>" for error messages.
  [[nodiscard]] std::string describe_failure() const;
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Returns an error only when the command could not be started or waited for;
  // a non-zero exit is a successful run with result.exit_code set.
  virtual Result<CommandResult> run(const Command& command) = 0;
};

// Runs commands on this machine via ChildProcess.
class SystemCommandRunner final : public CommandRunner {
 public:
  Result<CommandResult> run(const Command& command) override;
};

// Convenience: runs and turns a non-zero exit into an Error naming the command.
Result<CommandResult> run_checked(CommandRunner& runner, const Command& command);

}  // namespace dbkeep::core
