#pragma once
// SQLite backups (method "online"): an online-backup-API copy into a private temp directory,
// PRAGMA integrity_check on the copy, row counts per table, then the copy goes through the
// pipeline. The stored file is a plain, self-contained SQLite database (journal_mode DELETE).

#include <filesystem>

#include "dbkeep/source/backup_source.hpp"

namespace dbkeep::source::sqlite {

class SqliteSource final : public BackupSource {
 public:
  // The online copy is made in `scratch_dir`, which the caller owns and removes.
  SqliteSource(core::SqliteConfig options, std::filesystem::path scratch_dir)
      : options_(std::move(options)), scratch_dir_(std::move(scratch_dir)) {}

  Result<SizeEstimate> estimate() override;
  Result<void> run(repo::BackupSession& session) override;

 private:
  core::SqliteConfig options_;
  std::filesystem::path scratch_dir_;
};

// Name of the database inside the backup ("app.db" for /var/lib/app/app.db).
std::string stored_database_name(const std::filesystem::path& database);

}  // namespace dbkeep::source::sqlite
