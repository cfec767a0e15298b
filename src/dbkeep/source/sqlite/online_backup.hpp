#pragma once
// A consistent copy of a live SQLite database through the online backup API.
//
// WAL databases are copied in one sqlite3_backup_step(-1): it holds only a read snapshot, and
// in WAL mode readers never block writers, so this is both consistent and non-blocking.
// Rollback-journal databases are copied `pages_per_step` pages at a time with a pause between
// steps so writers get the lock; a write by another connection restarts the copy, so after a
// few restarts we finish in one step (holding the shared lock for the duration of one copy).

#include <cstdint>
#include <filesystem>
#include <string>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"

namespace dbkeep::source::sqlite {

struct OnlineCopyFacts {
  std::string journal_mode;  // "wal", "delete", …
  std::int64_t page_size = 0;
  std::int64_t page_count = 0;
  int restarts = 0;  // copies restarted because a writer changed the database
  bool single_step = false;
};

// Copies `options.path` into a new database file `target` (must not exist).
Result<OnlineCopyFacts> copy_online(const core::SqliteConfig& options,
                                    const std::filesystem::path& target);

}  // namespace dbkeep::source::sqlite
