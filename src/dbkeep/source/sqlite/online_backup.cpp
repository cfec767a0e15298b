#include "dbkeep/source/sqlite/online_backup.hpp"

#include <chrono>
#include <memory>
#include <thread>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/source/sqlite/sqlite_database.hpp"

namespace dbkeep::source::sqlite {
namespace {

constexpr int kRestartsBeforeSingleStep = 3;

struct BackupDeleter {
  void operator()(sqlite3_backup* backup) const { sqlite3_backup_finish(backup); }
};

bool is_busy(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

}  // namespace

Result<OnlineCopyFacts> copy_online(const core::SqliteConfig& options,
                                    const std::filesystem::path& target) {
  if (!std::filesystem::exists(options.path)) {
    return fail("SQLite database " + options.path.string() + " does not exist");
  }
  // Read-write so a WAL database's -shm can be created if missing; we never write to it.
  auto source_or =
      SqliteDatabase::open(options.path, SqliteDatabase::Mode::kReadWrite, options.busy_timeout_ms);
  if (!source_or) {
    source_or = SqliteDatabase::open(options.path, SqliteDatabase::Mode::kReadOnly,
                                     options.busy_timeout_ms);
  }
  TRY_ASSIGN(auto source, std::move(source_or));
  TRY_ASSIGN(auto destination,
             SqliteDatabase::open(target, SqliteDatabase::Mode::kReadWriteCreate));

  OnlineCopyFacts facts;
  TRY_ASSIGN(facts.journal_mode, source.query_text("PRAGMA journal_mode"));
  bool single_step = facts.journal_mode == "wal";

  std::unique_ptr<sqlite3_backup, BackupDeleter> backup(
      sqlite3_backup_init(destination.handle(), "main", source.handle(), "main"));
  if (!backup) return fail("cannot start SQLite online backup: " + destination.last_error());

  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(std::max(options.busy_timeout_ms, 1000));
  int previous_remaining = -1;
  while (true) {
    if (core::cancellation_requested()) return fail("backup cancelled", ErrorKind::kCancelled);
    int rc = sqlite3_backup_step(backup.get(), single_step ? -1 : options.pages_per_step);
    if (rc == SQLITE_DONE) break;
    if (is_busy(rc)) {
      if (std::chrono::steady_clock::now() > deadline) {
        return fail("SQLite database " + options.path.string() + " stayed locked for more than " +
                    std::to_string(options.busy_timeout_ms) + " ms");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (rc != SQLITE_OK) {
      return fail("SQLite online backup of " + options.path.string() +
                  " failed: " + sqlite3_errstr(rc));
    }
    deadline = std::chrono::steady_clock::now() +
               std::chrono::milliseconds(std::max(options.busy_timeout_ms, 1000));
    int remaining = sqlite3_backup_remaining(backup.get());
    if (previous_remaining >= 0 && remaining > previous_remaining) {
      // A writer changed the source, so SQLite started over.
      if (++facts.restarts >= kRestartsBeforeSingleStep && !single_step) {
        log::info("SQLite copy restarted " + std::to_string(facts.restarts) +
                  " times under concurrent writes; finishing in one step");
        single_step = true;
      }
    }
    previous_remaining = remaining;
    if (!single_step && options.step_pause_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(options.step_pause_ms));
    }
  }
  facts.single_step = single_step;
  facts.page_count = sqlite3_backup_pagecount(backup.get());
  backup.reset();
  TRY_ASSIGN(auto page_size, destination.query_text("PRAGMA page_size"));
  facts.page_size = std::stoll(page_size);
  // The copy inherits WAL mode; switch it to a self-contained single file.
  TRY(destination.execute("PRAGMA journal_mode = DELETE"));
  return facts;
}

}  // namespace dbkeep::source::sqlite
