#pragma once
// Splitting an SQL script into statements the way the `mariadb` client does for the scripts a
// logical backup holds: `;` ends a statement outside quotes ('…', "…", `…`) and comments
// (-- …, # …, /* … */); a line `DELIMITER x` changes the terminator (for routine and trigger
// bodies). Statements come back without their terminator and trimmed; empty ones are dropped.

#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::restore::logical {

// An unterminated quote or comment at the end is an error (a truncated script).
Result<std::vector<std::string>> split_sql_script(std::string_view script);

}  // namespace dbkeep::restore::logical
