#pragma once
// What a writer killed mid-write leaves (core/abandoned_files): a file it had claimed with
// flock, whose lock died with it. A forked child creates `path` with `content`, locks it and
// exits without unlocking or removing it.

#include <filesystem>
#include <string_view>

namespace dbkeep::test {

// Fails the current test if the child could not make the file.
void leave_file_of_a_killed_writer(const std::filesystem::path& path, std::string_view content);

}  // namespace dbkeep::test
