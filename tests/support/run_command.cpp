#include "support/run_command.hpp"

namespace dbkeep::test {

Result<core::CommandResult> run_command(std::vector<std::string> argv,
                                        std::chrono::seconds timeout) {
  core::SystemCommandRunner runner;
  return core::run_checked(
      runner,
      core::Command{.argv = std::move(argv), .extra_env = {{"LC_ALL", "C"}}, .timeout = timeout});
}

}  // namespace dbkeep::test
