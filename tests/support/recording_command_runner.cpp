#include "support/recording_command_runner.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace dbkeep::test {

core::CommandResult ok(std::string stdout_text) {
  return core::CommandResult{.exit_code = 0, .stdout_text = std::move(stdout_text)};
}

core::CommandResult failed(int exit_code, std::string stderr_text) {
  return core::CommandResult{.exit_code = exit_code, .stderr_text = std::move(stderr_text)};
}

core::CommandResult timed_out() {
  return core::CommandResult{.exit_code = -1, .timed_out = true};
}

RecordingCommandRunner::Rule& RecordingCommandRunner::Rule::then(core::CommandResult result,
                                                                 int times) {
  for (int i = 0; i < times; ++i) queued_.push_back(result);
  return *this;
}

RecordingCommandRunner::Rule& RecordingCommandRunner::Rule::always(core::CommandResult result) {
  always_ = std::move(result);
  return *this;
}

core::CommandResult RecordingCommandRunner::Rule::answer() {
  ++calls_;
  if (queued_.empty()) return always_;
  core::CommandResult result = std::move(queued_.front());
  queued_.pop_front();
  return result;
}

RecordingCommandRunner::Rule& RecordingCommandRunner::on(std::vector<std::string> argv_prefix) {
  return rules_.emplace_back(Rule(std::move(argv_prefix)));
}

Result<core::CommandResult> RecordingCommandRunner::run(const core::Command& command) {
  commands_.push_back(command);
  for (auto rule = rules_.rbegin(); rule != rules_.rend(); ++rule) {
    const auto& prefix = rule->prefix_;
    if (prefix.size() <= command.argv.size() &&
        std::equal(prefix.begin(), prefix.end(), command.argv.begin())) {
      return rule->answer();
    }
  }
  ADD_FAILURE() << "unexpected command (no rule matches): " << command.display();
  return failed(127, "unexpected command in test: " + command.display());
}

std::vector<std::string> RecordingCommandRunner::command_lines() const {
  std::vector<std::string> lines;
  for (const auto& command : commands_) lines.push_back(command.display());
  return lines;
}

}  // namespace dbkeep::test
