#pragma once
// Runs the built dbkeep binary as a user would, capturing exit code and output.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dbkeep::test {

struct DbkeepRun {
  std::vector<std::string> args;  // as given to run_dbkeep, without the program name
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

// `args` excludes the program name. `env` adds or replaces environment variables. `input`, when
// given, is the program's stdin (otherwise /dev/null). The binary is this build's, or
// $DBKEEP_TEST_BINARY when set.
DbkeepRun run_dbkeep(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {},
                     const std::optional<std::string>& input = std::nullopt);

// The command, its exit status, stdout and stderr, for a failure message.
std::string describe(const DbkeepRun& run);

// stdout of `run` as its one JSON document. Anything else (not JSON, nothing, two documents)
// fails the calling test with describe(run) and yields an empty object.
nlohmann::json json_of(const DbkeepRun& run);

}  // namespace dbkeep::test
