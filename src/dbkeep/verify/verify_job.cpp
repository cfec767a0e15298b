#include "dbkeep/verify/verify_job.hpp"

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/temp_dir.hpp"
#include "dbkeep/source/sqlite/sqlite_database.hpp"

namespace dbkeep::verify {
namespace {

bool is_sqlite_database(const repo::ManifestFile& file) {
  return file.attributes.value("kind", "") == "sqlite-database";
}

// Restores the database to a temp file (which checks the checksum on the way) and runs
// PRAGMA integrity_check on it.
Result<void> verify_sqlite_file(storage::Backend& backend, const repo::ManifestFile& file,
                                const std::filesystem::path& temp_dir) {
  TRY_ASSIGN(auto temp, core::TempDir::create(temp_dir, "dbkeep-verify-"));
  auto copy = temp.path() / "database";
  TRY(pipeline::fetch_to_file(backend, file.stored, copy));
  using source::sqlite::SqliteDatabase;
  TRY_ASSIGN(auto database, SqliteDatabase::open(copy, SqliteDatabase::Mode::kReadOnly));
  TRY_ASSIGN(auto integrity, database.integrity_check());
  if (integrity != "ok") {
    return fail(file.stored.path + ": PRAGMA integrity_check failed: " + integrity,
                ErrorKind::kVerification);
  }
  return {};
}

}  // namespace

VerifyReport verify_backup(storage::Backend& backend, const repo::Manifest& manifest,
                           const std::filesystem::path& temp_dir) {
  VerifyReport report{manifest.set, manifest.id};
  for (const auto& file : manifest.files) {
    auto checked = is_sqlite_database(file) ? verify_sqlite_file(backend, file, temp_dir)
                                            : pipeline::verify_stored(backend, file.stored);
    ++report.files_checked;
    if (checked) {
      report.bytes_checked += file.stored.size;
      log::debug("verified " + manifest.set + "/" + manifest.id + " " + file.stored.path);
    } else {
      log::error("backup " + manifest.set + "/" + manifest.id + ": " + checked.error().message);
      report.problems.push_back(checked.error().message);
    }
  }
  return report;
}

}  // namespace dbkeep::verify
