#pragma once
// Tests use the library's own temporary directory, core::TempDir (private 0700, removed with
// everything in it on destruction); this makes one.

#include <filesystem>
#include <string>

#include "dbkeep/core/temp_dir.hpp"

namespace dbkeep::test {

// A fresh directory `prefix`XXXXXX in `parent` (default: $TMPDIR, or /tmp). Throws
// std::runtime_error, which fails the calling test, if it cannot be made.
core::TempDir make_temp_dir(const std::string& prefix = "dbkeep-test-",
                            const std::filesystem::path& parent = {});

}  // namespace dbkeep::test
