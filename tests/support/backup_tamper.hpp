#pragma once
// Damaging a stored backup the way a corrupt source would: the content changes, and the
// manifest's checksum and sizes are rewritten to match, so `verify` (checksums only) still
// passes and only a restore test can tell. Works on a local repository with any codec.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "support/mariadb_server.hpp"

namespace dbkeep::test {

struct StoredBackupFile {
  std::filesystem::path repository;  // the local repository's root
  std::string set, id, path;         // path as the manifest names it
};

// Writes the file's plaintext (decompressed, checked) to `to`.
Result<void> fetch_backup_file(const StoredBackupFile& file, const std::filesystem::path& to);

// Stores `content` as the file's new object (same key and codec) and updates the manifest's
// size, stored_size and sha256 for it.
Result<void> replace_backup_file(const StoredBackupFile& file,
                                 const std::filesystem::path& content);

// XORs `count` bytes of `file` from `offset` with 0xFF.
Result<void> flip_bytes(const std::filesystem::path& file, std::uint64_t offset, std::size_t count);

// Unpacks an xbstream/mbstream file into `directory`, and packs every file below `directory`
// into a new stream (the tool's own -x and -c).
Result<void> xbstream_extract(const std::filesystem::path& stream,
                              const std::filesystem::path& directory);
Result<void> xbstream_create(const std::filesystem::path& directory,
                             const std::filesystem::path& stream);

// Command lines (pid: cmdline) of processes whose command line contains `fragment`: a scratch
// server a restore drill left behind would name its scratch directory.
std::vector<std::string> processes_mentioning(const std::string& fragment);

// Waits up to `timeout` until a directory directly inside `temp_dir` holds `name`: a drill or
// `dbkeep open` has reached that step (its scratch "data" or "run" directory exists).
bool wait_for_scratch_entry(const std::filesystem::path& temp_dir, const std::string& name,
                            std::chrono::milliseconds timeout = std::chrono::seconds(120));

// Flushes every dirty InnoDB page and waits (up to a minute) until the checkpoint has caught up
// with the redo log, so a backup taken next holds no redo for earlier changes: crash recovery
// or --prepare would otherwise rebuild freshly written pages from the log and hide damage
// done to their copies in the backup.
void flush_and_checkpoint(const MariaDbServer& server);

}  // namespace dbkeep::test
