#pragma once
// Runs the built dbkeep binary as a user would, capturing exit code and output.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dbkeep::test {

struct DbkeepRun {
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

}  // namespace dbkeep::test
