#pragma once
// Restores a SQLite backup to a file. The database is written to a temporary name in the target
// directory, checked (SHA-256 on the way, PRAGMA integrity_check after), and renamed into place.
// An existing target is only replaced with `force`, and then kept as
// <FILE>.before-restore-<UTC timestamp> together with its -wal/-shm/-journal companions (a stale
// WAL next to the restored file would corrupt it).

#include <filesystem>
#include <optional>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::restore {

struct SqliteRestoreResult {
  std::filesystem::path restored;
  std::optional<std::filesystem::path> previous_kept_as;
};

Result<SqliteRestoreResult> restore_sqlite(storage::Backend& backend,
                                           const repo::Manifest& manifest,
                                           const std::filesystem::path& target, bool force);

}  // namespace dbkeep::restore
