#include "dbkeep/source/sqlite/sqlite_source.hpp"

#include <chrono>

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/source/sqlite/online_backup.hpp"
#include "dbkeep/source/sqlite/sqlite_database.hpp"

namespace dbkeep::source::sqlite {

std::string stored_database_name(const std::filesystem::path& database) {
  return database.filename().string();
}

Result<SizeEstimate> SqliteSource::estimate() {
  std::error_code error;
  auto size = std::filesystem::file_size(options_.path, error);
  if (error) {
    return fail("cannot read SQLite database " + options_.path.string() + ": " + error.message());
  }
  // A WAL file holds committed pages not yet in the main file; the copy can be that much larger.
  auto wal_size = std::filesystem::file_size(options_.path.string() + "-wal", error);
  std::uint64_t total = size + (error ? 0 : wal_size);
  return SizeEstimate{total, total};
}

Result<void> SqliteSource::run(repo::BackupSession& session) {
  std::string name = stored_database_name(options_.path);
  auto copy = scratch_dir_ / name;

  log::info("copying SQLite database " + options_.path.string() + " (online backup API)");
  auto started = std::chrono::steady_clock::now();
  TRY_ASSIGN(auto facts, copy_online(options_, copy));
  auto copy_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  log::info("copied " + std::to_string(facts.page_count) + " pages of " +
            std::to_string(facts.page_size) + " bytes in " + core::format_duration(copy_ms) +
            " (journal mode " + facts.journal_mode + ", " + std::to_string(facts.restarts) +
            " restarts)");

  TRY_ASSIGN(auto copied, SqliteDatabase::open(copy, SqliteDatabase::Mode::kReadOnly));
  TRY_ASSIGN(auto integrity, copied.integrity_check());
  if (integrity != "ok") {
    return fail("the copy of " + options_.path.string() +
                " fails PRAGMA integrity_check, so it was not stored: " + integrity);
  }
  TRY_ASSIGN(auto rows, copied.count_rows());
  log::info("integrity check of the copy: ok; " + std::to_string(rows.size()) + " tables");

  auto& out = session.facts();
  out["database"] = options_.path.string();
  out["journal_mode"] = facts.journal_mode;
  out["page_size"] = facts.page_size;
  out["page_count"] = facts.page_count;
  out["copy_restarts"] = facts.restarts;
  out["integrity_check"] = integrity;
  out["tables"] = rows;
  return session.store_file(copy, name, {{"kind", "sqlite-database"}});
}

}  // namespace dbkeep::source::sqlite
