#pragma once
// Loads a logical backup (method = "logical") into a running server:
//
//   check that no table of the backup exists on the target (or drop it with drop_existing)
//   create the schemas and tables
//   load the data chunks on `workers` connections in parallel, one transaction per chunk,
//     with FOREIGN_KEY_CHECKS=0, UNIQUE_CHECKS=0 (and SQL_LOG_BIN=0 when asked)
//   create routines, views, triggers and events (after the data: triggers must not fire)
//
// Each chunk's checksum is verified before its transaction commits, so a damaged chunk never
// lands. With a progress directory, every finished step is recorded in a progress file
// (jobs/load_progress.hpp): a failed or killed load continues with `resume`, or starts over
// with `drop_existing`; a new load refuses to run while such a file exists.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/restore/table_selection.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::restore::logical {

struct LogicalRestoreOptions {
  source::mysql::ConnectionOptions connection;
  std::map<std::string, std::string> rename_schema;  // backup schema -> target schema
  bool drop_existing = false;
  bool skip_binlog = false;  // SET SQL_LOG_BIN=0 (needs SUPER / BINLOG ADMIN)
  int workers = 0;           // 0: one per core
  // Where progress files live (<state_dir>/loads); empty: no progress file, no resume.
  std::filesystem::path progress_dir;
  bool resume = false;      // continue the load recorded in the progress file
  bool with_users = false;  // also load users.sql (accounts and grants; jobs/users_restore.hpp)
  // --only: just these tables (with their triggers) and, for `schema.*`, the schema's views,
  // routines and events. Checked against the backup before anything is written.
  std::optional<TableSelection> only;
};

struct LogicalRestoreResult {
  std::size_t schemas = 0;
  std::size_t tables = 0;
  std::size_t chunks = 0;          // loaded by this run
  std::size_t chunks_skipped = 0;  // recorded as loaded by the interrupted run (resume)
  std::uint64_t rows = 0;          // as recorded in the manifest for the loaded chunks
  std::size_t accounts = 0;        // created from users.sql (--with-users)
  // With --only: foreign keys of restored tables whose parent was not restored (loaded with
  // foreign_key_checks=0, as every load is; the rows are not checked against the target's).
  std::vector<std::string> unchecked_foreign_keys;
};

Result<LogicalRestoreResult> restore_logical(storage::Backend& backend,
                                             const repo::Manifest& manifest,
                                             const LogicalRestoreOptions& options);

}  // namespace dbkeep::restore::logical
