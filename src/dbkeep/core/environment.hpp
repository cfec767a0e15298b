#pragma once
// The process environment as a map, injectable for tests. Configuration reads DBKEEP_*; the S3
// credentials chain reads AWS_* and HOME.

#include <map>
#include <string>

namespace dbkeep::core {

using Environment = std::map<std::string, std::string>;
// Every variable of this process.
Environment current_environment();

}  // namespace dbkeep::core
