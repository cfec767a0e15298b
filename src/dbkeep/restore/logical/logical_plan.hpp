#pragma once
// What a logical backup holds, grouped the way every consumer of one goes through it (the
// loader, restore_logical, and the SQL script export, sql_export): schemas, table definitions,
// data chunks, per-schema objects and users.sql, each in manifest order, plus the pieces of SQL
// both build from them. `rename` (backup schema -> target schema) is --rename-schema; `only`
// (--only) keeps the selected tables with their data and triggers, and the views, routines and
// events of the schemas selected whole.

#include <map>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/restore/table_selection.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::restore::logical {

class LogicalPlan {
 public:
  LogicalPlan(const repo::Manifest& manifest, const std::map<std::string, std::string>& rename,
              const TableSelection* only = nullptr);

  // The schema `file` goes into: its own, or what --rename-schema made of it.
  [[nodiscard]] std::string target(const repo::ManifestFile& file) const;

  // `objects`: a schema's routines, views and events (and, in backups taken before triggers
  // were stored per table, its triggers); `triggers`: one table's triggers.
  std::vector<const repo::ManifestFile*> schemas, tables, data, objects, triggers;
  const repo::ManifestFile* users = nullptr;
  // Every base table of the backup, selected or not (what --only is checked against).
  std::vector<TableName> backup_tables;
  // With --only: the schemas some of whose tables are selected whose objects file holds their
  // triggers (older backups); those triggers are not restored.
  std::vector<std::string> triggers_left_in_objects;

 private:
  const std::map<std::string, std::string>& rename_;
};

// --with-users asks for users.sql: a kUsage error when the backup has none; without it, a
// backup that has one is noted in the log ("they are not <left_out> without --with-users").
Result<void> check_users_request(const LogicalPlan& plan, const repo::Manifest& manifest,
                                 bool with_users, std::string_view left_out);

// "CREATE DATABASE IF NOT EXISTS `target` CHARACTER SET … COLLATE …" for a schema file (no
// terminator), with the character set and collation the backup recorded.
std::string create_database_statement(const repo::ManifestFile& schema_file,
                                      const std::string& target);

// `from`.` references (view, routine, trigger and event text names its schema) pointed at
// `to` (textually, as documented for --rename-schema).
std::string rename_references(std::string text, const std::string& from, const std::string& to);

// A small file of the backup (DDL, objects, users) whole, checked against the manifest.
Result<std::string> fetch_text(storage::Backend& backend, const repo::ManifestFile& file);

// The `rows` a data chunk's manifest entry records (0 when absent).
std::uint64_t rows_of(const repo::ManifestFile& file);

}  // namespace dbkeep::restore::logical
