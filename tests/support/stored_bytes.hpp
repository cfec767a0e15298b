#pragma once
// What an attacker who copies a repository gets: every regular file below a directory (a local
// repository, or the S3 test server's storage directory), for scanning and for proving that a
// failed run wrote nothing.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dbkeep::test {

// Paths (relative to `root`) of the files whose bytes contain `fragment`.
std::vector<std::string> files_containing(const std::filesystem::path& root,
                                          std::string_view fragment);

// Every file below `root` with a hash of its content; equal before and after means nothing
// was written, renamed or removed.
std::map<std::string, std::size_t> content_fingerprint(const std::filesystem::path& root);

// How many regular files lie below `root` (0 when it does not exist).
std::size_t file_count(const std::filesystem::path& root);

}  // namespace dbkeep::test
