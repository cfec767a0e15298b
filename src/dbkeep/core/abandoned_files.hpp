#pragma once
// Telling a temporary file that a live process is still writing from one a killed process left.
//
// The writer holds an exclusive flock(2) on its temporary file from creation until it renames or
// removes it, and the kernel drops that lock when the writer dies, however it dies. So among
// the files matching a writer's naming pattern, one that nobody holds a lock on was abandoned.
// flock works across PID namespaces (containers sharing a directory), where a PID would not.

#include <filesystem>
#include <functional>
#include <string>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

// Takes the exclusive lock on `fd` (the open temporary file at `path`) for as long as that open
// file stays open. Blocks only while a sweeper holds it, which is an instant.
Result<void> claim_temporary_file(int fd, const std::filesystem::path& path);

// Removes the files directly in `directory` whose name satisfies `matches` and that no process
// holds a lock on. Best effort: a file that cannot be opened or locked is left alone. A writer
// that had created its file but not yet locked it finds it gone at its rename (ENOENT).
void remove_abandoned_files(const std::filesystem::path& directory,
                            const std::function<bool(const std::string& name)>& matches);

}  // namespace dbkeep::core
