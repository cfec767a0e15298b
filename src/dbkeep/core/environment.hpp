#pragma once
// The environment variables configuration reads (DBKEEP_*), as a map injectable for tests.

#include <map>
#include <string>

namespace dbkeep::core {

using Environment = std::map<std::string, std::string>;
// The DBKEEP_* variables of this process.
Environment current_environment();

}  // namespace dbkeep::core
