#include "support/run_dbkeep.hpp"

#include <gtest/gtest.h>

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
  if (!result) return DbkeepRun{args, -1, "", result.error().message};
  return DbkeepRun{args, result->exit_code, result->stdout_text, result->stderr_text};
}

std::string describe(const DbkeepRun& run) {
  std::string text = "dbkeep";
  for (const auto& arg : run.args) text += " " + arg;
  return text + "\nexit status " + std::to_string(run.exit_code) + "\nstdout:\n" + run.stdout_text +
         "\nstderr:\n" + run.stderr_text;
}

nlohmann::json json_of(const DbkeepRun& run) {
  // parse() accepts exactly one document (surrounding whitespace aside).
  auto document = nlohmann::json::parse(run.stdout_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    ADD_FAILURE() << "stdout is not exactly one JSON document: " << describe(run);
    return nlohmann::json::object();
  }
  return document;
}

}  // namespace dbkeep::test
