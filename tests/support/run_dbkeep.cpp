#include "support/run_dbkeep.hpp"

#include <cstdlib>

#include "dbkeep/core/command_runner.hpp"

namespace dbkeep::test {

DbkeepRun run_dbkeep(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env,
                     const std::optional<std::string>& input) {
  core::Command command;
  // DBKEEP_TEST_BINARY runs another build (e.g. main's, for a before/after measurement).
  const char* other_binary = std::getenv("DBKEEP_TEST_BINARY");
  command.argv.push_back(other_binary != nullptr ? other_binary : DBKEEP_BINARY);
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.extra_env = env;
  command.stdin_data = input;
  core::SystemCommandRunner runner;
  auto result = runner.run(command);
  if (!result) return DbkeepRun{-1, "", result.error().message};
  return DbkeepRun{result->exit_code, result->stdout_text, result->stderr_text};
}

}  // namespace dbkeep::test
