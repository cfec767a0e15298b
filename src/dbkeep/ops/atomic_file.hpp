#pragma once
// Replaces a small file atomically: readers (cron, node_exporter, a second dbkeep) see the old
// content or the new, never a half-written file.

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "dbkeep/core/error.hpp"

namespace dbkeep::ops {

// Writes `content` to a temporary file next to `path` with permissions `mode`, fsyncs it,
// renames it over `path` and fsyncs the directory. On failure `path` is unchanged and the
// temporary file is removed. Creates missing parent directories (0755). Temporary files of
// `path` left by writers that were killed (no process holds their lock) are removed first, so a
// SIGKILL at any point leaves nothing behind after the next write.
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                   mode_t mode = 0644);

// The whole file, or an error naming it.
Result<std::string> read_whole_file(const std::filesystem::path& path);

}  // namespace dbkeep::ops
