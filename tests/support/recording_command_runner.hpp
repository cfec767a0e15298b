#pragma once
// A CommandRunner for tests: records every Command and answers from rules, so a test can replay
// LVM/ZFS sequences this machine cannot run and assert the exact argv sequence.
//
//   RecordingCommandRunner runner;
//   runner.on({"lvcreate"});                                   // succeeds, empty output
//   runner.on({"lvs", "--noheadings", "-o", "lv_attr,data_percent"})
//       .then(ok("  swi-a-s---  10.00\n"))                     // first call
//       .always(ok("  swi-a-s---  95.00\n"));                  // every later call
//   runner.on({"lvremove"}).then(failed(5, "in use"), 1);      // fails once, then succeeds
//   ... EXPECT_THAT(runner.command_lines(), ElementsAre("lvcreate …", …));
//
// A command matches a rule when its argv starts with the rule's prefix; the rule added last wins,
// so a test can override a fixture's defaults. A command no rule matches fails the test (with
// ADD_FAILURE naming it) and answers exit code 127.

#include <list>
#include <string>
#include <vector>

#include "dbkeep/core/command_runner.hpp"

namespace dbkeep::test {

core::CommandResult ok(std::string stdout_text = "");
core::CommandResult failed(int exit_code, std::string stderr_text);
core::CommandResult timed_out();

class RecordingCommandRunner final : public core::CommandRunner {
 public:
  class Rule {
   public:
    // Queues `result` for the next `times` matching calls (after earlier queued answers).
    Rule& then(core::CommandResult result, int times = 1);
    // The answer once the queue is used up (default: success with empty output).
    Rule& always(core::CommandResult result);
    [[nodiscard]] int calls() const { return calls_; }

   private:
    friend class RecordingCommandRunner;
    explicit Rule(std::vector<std::string> prefix) : prefix_(std::move(prefix)) {}
    core::CommandResult answer();

    std::vector<std::string> prefix_;
    std::list<core::CommandResult> queued_;
    core::CommandResult always_ = ok();
    int calls_ = 0;
  };

  // Adds a rule for commands whose argv starts with `argv_prefix`. The reference stays valid for
  // the runner's lifetime.
  Rule& on(std::vector<std::string> argv_prefix);

  Result<core::CommandResult> run(const core::Command& command) override;

  [[nodiscard]] const std::vector<core::Command>& commands() const { return commands_; }
  // Each recorded argv joined by single spaces: readable in assertion failures.
  [[nodiscard]] std::vector<std::string> command_lines() const;
  void clear_recording() { commands_.clear(); }

 private:
  std::list<Rule> rules_;  // std::list: on() hands out references that must stay valid
  std::vector<core::Command> commands_;
};

}  // namespace dbkeep::test
