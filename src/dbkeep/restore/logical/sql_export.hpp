#pragma once
// `restore ID --to-sql`: a logical backup written as one SQL script that the stock `mariadb` /
// `mysql` client loads, in the order the loader (logical_restore) uses:
//
//   header comment: dbkeep version, backup, source server, sql_mode, binlog position
//   session settings saved in @OLD_… and set as the loader sets them (utf8mb4, UTC,
//     NO_AUTO_VALUE_ON_ZERO, no foreign key or unique checks, no notes)
//   per schema: CREATE DATABASE IF NOT EXISTS, USE, then per table its CREATE TABLE (full
//     definition: a plain client cannot defer indexes) and its data chunks in key order, each
//     chunk in START TRANSACTION … COMMIT
//   after all data: every schema's placeholder views (mysqldump's trick, across schemas: a view
//     may use another schema's view), then per schema USE, its routines, views and events, then
//     per table its triggers
//   with with_users: users.sql (accounts, roles, grants), last, as the loader does
//   the saved session settings restored, and a closing "-- dbkeep: end of script" line
//
// Every object is fetched through the pipeline and checked against its SHA-256 and sizes;
// chunks stream (a table is never held in memory), and a chunk's COMMIT is written only after
// its checksum matched, so a client fed a script that stops at a damaged chunk leaves that
// chunk's transaction uncommitted. The data files carry their own SET lines (SET NAMES binary:
// values as stored, in each column's character set), so the script is byte-exact.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/pipeline/byte_sink.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/restore/table_selection.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::restore::logical {

struct SqlExportOptions {
  std::map<std::string, std::string> rename_schema;  // backup schema -> schema in the script
  bool with_users = false;     // include users.sql (refused when the backup has none)
  bool drop_existing = false;  // DROP TABLE IF EXISTS before each table; CREATE OR REPLACE USER
  std::optional<TableSelection> only;  // --only, as for the loader (logical_restore.hpp)
};

struct SqlExportResult {
  std::size_t schemas = 0;
  std::size_t tables = 0;
  std::size_t chunks = 0;
  std::uint64_t rows = 0;  // as the manifest records them
  std::size_t accounts = 0;
  std::uint64_t bytes = 0;  // of SQL written (before any compression of the output)
};

// Success for a logical backup; otherwise a kUsage error naming the backup's method and the
// restore that fits it.
Result<void> require_sql_export(const repo::Manifest& manifest);

// Writes the script into `out` (not finished: the caller finishes its chain and publishes it).
// Checks for cancellation (Ctrl-C) between writes.
Result<SqlExportResult> export_sql_script(storage::Backend& backend, const repo::Manifest& manifest,
                                          const SqlExportOptions& options, pipeline::ByteSink& out);

}  // namespace dbkeep::restore::logical
