#include "dbkeep/restore/sqlite_restore.hpp"

#include <cerrno>
#include <cstdio>

#include "dbkeep/core/log.hpp"
#include "dbkeep/restore/aside_path.hpp"
#include "dbkeep/restore/method_restore.hpp"
#include "dbkeep/restore/temporary_target.hpp"
#include "dbkeep/source/sqlite/sqlite_database.hpp"

namespace dbkeep::restore {
namespace {

constexpr const char* kCompanionSuffixes[] = {"-wal", "-shm", "-journal"};

Result<std::filesystem::path> move_database_aside(const std::filesystem::path& target) {
  const auto aside = unused_aside_path(target);
  if (::rename(target.c_str(), aside.c_str()) != 0) {
    return fail(errno_message("cannot move " + target.string() + " aside", errno));
  }
  for (const char* suffix : kCompanionSuffixes) {
    std::filesystem::path companion = target.string() + suffix;
    if (!std::filesystem::exists(companion)) continue;
    std::filesystem::path companion_aside = aside.string() + suffix;
    if (::rename(companion.c_str(), companion_aside.c_str()) != 0) {
      return fail(errno_message("cannot move " + companion.string() + " aside", errno));
    }
  }
  return aside;
}

}  // namespace

Result<SqliteRestoreResult> restore_sqlite(storage::Backend& backend,
                                           const repo::Manifest& manifest,
                                           const std::filesystem::path& target_in, bool force) {
  TRY(require_restore_target(manifest, core::RestoreTarget::kSqliteFile));
  if (manifest.files.size() != 1) {
    return fail("backup " + manifest.id + " should hold one database file, it holds " +
                    std::to_string(manifest.files.size()),
                ErrorKind::kVerification);
  }
  auto target = std::filesystem::absolute(target_in);
  bool exists = std::filesystem::exists(target);
  if (exists && !force) {
    return usage_error(target.string() +
                       " already exists; use --force to replace it (the current file is kept "
                       "as " +
                       target.filename().string() + ".before-restore-<timestamp>)");
  }
  // The copy is written next to the target and renamed over it. A restore that was killed left
  // its copy behind (a whole database, perhaps large): those nobody holds are removed first.
  TRY_ASSIGN(auto temp_file, TemporaryTarget::create(target, "dbkeep-restore", 0640));
  const auto& temp = temp_file.path();
  const auto& file = manifest.files.front();
  log::info("restoring " + manifest.set + "/" + manifest.id + " (" + file.stored.path + ") to " +
            target.string());
  TRY(pipeline::fetch_to_file(backend, file.stored, temp));
  {
    using source::sqlite::SqliteDatabase;
    TRY_ASSIGN(auto database, SqliteDatabase::open(temp, SqliteDatabase::Mode::kReadOnly));
    TRY_ASSIGN(auto integrity, database.integrity_check());
    if (integrity != "ok") {
      return fail("restored database fails PRAGMA integrity_check: " + integrity,
                  ErrorKind::kVerification);
    }
  }

  SqliteRestoreResult result{target, std::nullopt};
  if (exists) {
    TRY_ASSIGN(auto aside, move_database_aside(target));
    result.previous_kept_as = aside;
    log::info("kept the previous " + target.string() + " as " + aside.string());
  }
  TRY(temp_file.commit());  // fsyncs the copy before the rename
  log::info("restored " + target.string() + " (" + std::to_string(file.stored.size) + " bytes)");
  return result;
}

}  // namespace dbkeep::restore
