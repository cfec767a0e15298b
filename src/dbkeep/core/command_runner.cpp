#include "dbkeep/core/command_runner.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/log.hpp"

namespace dbkeep::core {

std::string Command::display() const {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    out += arg;
  }
  return out;
}

std::string CommandResult::describe_failure() const {
  std::string text = timed_out ? std::string("timed out") : "exit code " + std::to_string(exit_code);
  std::string_view err = stderr_text;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.remove_suffix(1);
  auto last_newline = err.rfind('\n');
  if (last_newline != std::string_view::npos) err = err.substr(last_newline + 1);
  if (!err.empty()) text += ": " + log::redact(err);
  return text;
}

Result<CommandResult> SystemCommandRunner::run(const Command& command) {
  SpawnOptions options{.argv = command.argv,
                       .extra_env = command.extra_env,
                       .pipe_stdin = command.stdin_data.has_value(),
                       .pipe_stdout = true,
                       .pipe_stderr = true};
  TRY_ASSIGN(auto child, ChildProcess::spawn(options));
  if (command.stdin_data) {
    // Small inputs only (config snippets); fits the pipe buffer in practice.
    std::string_view data = *command.stdin_data;
    while (!data.empty()) {
      ssize_t n = ::write(child.stdin_fd().get(), data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      data.remove_prefix(static_cast<size_t>(n));
    }
    child.stdin_fd().reset();
  }

  CommandResult result;
  auto deadline = std::chrono::steady_clock::now() + command.timeout;
  pollfd fds[2] = {{child.stdout_fd().get(), POLLIN, 0}, {child.stderr_fd().get(), POLLIN, 0}};
  std::string* sinks[2] = {&result.stdout_text, &result.stderr_text};
  int open_streams = 2;
  char buffer[16384];
  while (open_streams > 0) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) {
      result.timed_out = true;
      break;
    }
    int ready = ::poll(fds, 2, static_cast<int>(std::min<long>(remaining.count(), 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return fail(errno_message("poll", errno));
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        fds[i].fd = -1;
        --open_streams;
      }
    }
  }
  if (result.timed_out) {
    child.terminate();
    return result;
  }
  TRY_ASSIGN(auto status, child.wait());
  result.exit_code = status.signal == 0 ? status.exit_code : -1;
  return result;
}

Result<CommandResult> run_checked(CommandRunner& runner, const Command& command) {
  log::debug("running: " + command.display());
  TRY_ASSIGN(auto result, runner.run(command));
  if (!result.success()) {
    return fail(command.argv.front() + " failed (" + command.display() +
                "): " + result.describe_failure());
  }
  return result;
}

}  // namespace dbkeep::core
