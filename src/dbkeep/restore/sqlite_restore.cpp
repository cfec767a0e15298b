#include "dbkeep/restore/sqlite_restore.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "dbkeep/core/abandoned_files.hpp"
#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/restore/aside_path.hpp"
#include "dbkeep/restore/method_restore.hpp"
#include "dbkeep/source/sqlite/sqlite_database.hpp"

namespace dbkeep::restore {
namespace {

constexpr const char* kCompanionSuffixes[] = {"-wal", "-shm", "-journal"};

// Removes a file on scope exit unless released: the temp copy never outlives a failure.
class RemoveOnExit {
 public:
  explicit RemoveOnExit(std::filesystem::path path) : path_(std::move(path)) {}
  ~RemoveOnExit() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  void release() { path_.clear(); }

 private:
  std::filesystem::path path_;
};

Result<void> sync_file(const std::filesystem::path& file) {
  core::Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) return fail(errno_message("fsync " + file.string(), errno));
  return {};
}

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
  auto directory = target.parent_path();
  if (!std::filesystem::is_directory(directory)) {
    return usage_error("directory " + directory.string() + " does not exist");
  }

  // The copy is written next to the target and renamed over it. A restore that was killed left
  // its copy behind (a whole database, perhaps large): those nobody holds are removed first.
  std::string temp_prefix = "." + target.filename().string() + ".dbkeep-restore-";
  core::remove_abandoned_files(
      directory, [&temp_prefix](const std::string& name) { return name.starts_with(temp_prefix); });
  auto temp = directory / (temp_prefix + std::to_string(::getpid()));
  core::Fd temp_claim(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (!temp_claim) return fail(errno_message("cannot create " + temp.string(), errno));
  RemoveOnExit remove_temp(temp);
  TRY(core::claim_temporary_file(temp_claim.get(), temp));
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
  TRY(sync_file(temp));

  SqliteRestoreResult result{target, std::nullopt};
  if (exists) {
    TRY_ASSIGN(auto aside, move_database_aside(target));
    result.previous_kept_as = aside;
    log::info("kept the previous " + target.string() + " as " + aside.string());
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    return fail(errno_message("cannot move the restored database into place", errno));
  }
  remove_temp.release();
  TRY(core::sync_directory(directory));
  log::info("restored " + target.string() + " (" + std::to_string(file.stored.size) + " bytes)");
  return result;
}

}  // namespace dbkeep::restore
