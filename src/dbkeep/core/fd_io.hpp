#pragma once
// Whole-buffer reads and writes on a file descriptor with the errors users need: retried on
// EINTR, and a full disk reported as "disk full writing PATH" so an operator knows what to fix.

#include <cstddef>
#include <filesystem>
#include <span>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

// Writes all of `data` to `fd`; `path` names the file in errors.
Result<void> write_fully(int fd, std::span<const std::byte> data,
                         const std::filesystem::path& path);

// Reads up to buffer.size() bytes (fewer only at end of file; 0 at end of file).
Result<std::size_t> read_some(int fd, std::span<std::byte> buffer,
                              const std::filesystem::path& path);

// syncfs(2) on the filesystem holding `path` (a file or directory): writes out all its dirty
// data and, on btrfs/XFS/ext4, commits its journal or transaction.
Result<void> sync_filesystem(const std::filesystem::path& path);

// fsync(2) on a directory, so that a rename or a new entry in it survives a crash.
Result<void> sync_directory(const std::filesystem::path& directory);

// The message for a failed write, fsync or close of `path` with `error_number`.
std::string write_error_message(const std::filesystem::path& path, int error_number);

}  // namespace dbkeep::core
