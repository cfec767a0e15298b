#pragma once
// Validation of backend keys and prefixes, shared by every backend so they agree on what a
// key may be: relative, '/'-separated, no empty, "." or ".." component, no NUL. This is what
// keeps a key from escaping a local repository's root directory.

#include <string_view>

#include "dbkeep/core/error.hpp"

namespace dbkeep::storage {

// A key names one object: non-empty, no leading or trailing '/'.
Result<void> check_key(std::string_view key);

// A prefix selects objects by leading characters ("main/", "main/2026"). It may be empty
// (everything) and may end with '/', but its components follow the key rules.
Result<void> check_prefix(std::string_view prefix);

}  // namespace dbkeep::storage
