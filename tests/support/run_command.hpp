#pragma once
// Runs a system tool for a test fixture (mkfs, mount, lvcreate, …) in the C locale, with a
// timeout; a non-zero exit is an error carrying the tool's output.

#include <chrono>
#include <string>
#include <vector>

#include "dbkeep/core/command_runner.hpp"

namespace dbkeep::test {

Result<core::CommandResult> run_command(std::vector<std::string> argv,
                                        std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace dbkeep::test
