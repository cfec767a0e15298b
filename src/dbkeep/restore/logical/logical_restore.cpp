#include "dbkeep/restore/logical/logical_restore.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <thread>

#include "dbkeep/core/log.hpp"
#include "dbkeep/restore/logical/chunk_loader.hpp"
#include "dbkeep/restore/logical/deferred_indexes.hpp"
#include "dbkeep/restore/logical/in_doubt_chunks.hpp"
#include "dbkeep/restore/logical/load_progress.hpp"
#include "dbkeep/restore/logical/logical_plan.hpp"
#include "dbkeep/restore/logical/sql_script.hpp"
#include "dbkeep/restore/logical/users_restore.hpp"
#include "dbkeep/restore/method_restore.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::restore::logical {
namespace {

using source::mysql::Connection;
using source::mysql::logical::quote_identifier;

// Secondary indexes of one table, added after its data (deferred_indexes.hpp).
struct DeferredIndexes {
  std::string schema;
  std::string table;
  std::string key;  // the table's schema file, for the progress file
  std::vector<std::string> keys;
};

// A script's statements; with `deferred` (a table's schema file), its CREATE TABLE loses its
// secondary indexes, which are appended to `deferred` for after the data.
Result<std::vector<std::string>> script_statements(const std::string& script,
                                                   std::vector<DeferredIndexes>* deferred = nullptr,
                                                   const DeferredIndexes& table = {}) {
  TRY_ASSIGN(auto statements, split_sql_script(script));
  for (auto& statement : statements) {
    if (deferred != nullptr && statement.starts_with("CREATE TABLE ")) {
      auto split = split_secondary_indexes(statement);
      if (!split.deferred.empty()) {
        deferred->push_back(table);
        deferred->back().keys = std::move(split.deferred);
        statement = std::move(split.create);
      }
    }
  }
  return statements;
}

Result<void> run_statements(Connection& connection, const std::string& schema,
                            const std::vector<std::string>& statements, const std::string& what) {
  TRY(connection.execute("USE " + quote_identifier(schema)));
  for (const auto& statement : statements) {
    if (auto done = connection.execute(statement); !done) {
      return propagate(done.error().with_context("creating " + what));
    }
  }
  return {};
}

// Tables of the backup that already exist on the target; dropped when `drop` is set.
Result<void> handle_existing(Connection& connection, const LogicalPlan& plan, bool drop) {
  std::vector<std::string> existing;
  for (const auto* file : plan.tables) {
    const std::string schema = plan.target(*file);
    const std::string table = file->string_attribute("table");
    TRY_ASSIGN(auto found, connection.query_single_value(
                               "SELECT TABLE_TYPE FROM information_schema.TABLES WHERE "
                               "TABLE_SCHEMA = '" +
                               connection.escape_string(schema) + "' AND TABLE_NAME = '" +
                               connection.escape_string(table) + "'"));
    if (!found) continue;
    const std::string name = quote_identifier(schema) + "." + quote_identifier(table);
    if (!drop) {
      existing.push_back(name);
      continue;
    }
    log::info("dropping existing " + name + " (--drop-existing)");
    TRY(connection.execute((*found == "VIEW" ? "DROP VIEW " : "DROP TABLE ") + name));
  }
  if (existing.empty()) return {};
  std::string list;
  for (std::size_t i = 0; i < existing.size() && i < 10; ++i) {
    list += (i ? ", " : "") + existing[i];
  }
  if (existing.size() > 10) list += " and " + std::to_string(existing.size() - 10) + " more";
  return fail("the target server already has " + std::to_string(existing.size()) +
              " table(s) of this backup: " + list +
              "; nothing was changed. Use --drop-existing to replace them, or --rename-schema "
              "OLD=NEW to load beside them");
}

// The tables a CREATE TABLE's foreign keys reference (REFERENCES `t` or `schema`.`t`).
std::vector<TableName> referenced_tables(const std::string& create, const std::string& schema) {
  std::vector<TableName> parents;
  const std::string marker = "REFERENCES `";
  for (std::size_t at = create.find(marker); at != std::string::npos;
       at = create.find(marker, at)) {
    at += marker.size() - 1;
    std::vector<std::string> names;
    while (at < create.size() && create[at] == '`' && names.size() < 2) {
      std::string name;
      for (++at; at < create.size(); ++at) {
        if (create[at] == '`' && at + 1 < create.size() && create[at + 1] == '`') {
          name += '`';
          ++at;
        } else if (create[at] == '`') {
          ++at;
          break;
        } else {
          name += create[at];
        }
      }
      names.push_back(std::move(name));
      if (at < create.size() && create[at] == '.') ++at;
    }
    if (names.size() == 1) parents.push_back({schema, names[0]});
    if (names.size() == 2) parents.push_back({names[0], names[1]});
  }
  return parents;
}

// With --only, a restored table whose foreign key points at a table that is not restored:
// its rows are loaded unchecked (foreign_key_checks=0), so the operator is told.
void note_unrestored_parents(const TableSelection& only, const std::string& schema,
                             const std::string& table, const std::string& create,
                             std::vector<std::string>& notes) {
  for (const auto& parent : referenced_tables(create, schema)) {
    if (only.wants_table(parent.schema, parent.table)) continue;
    std::string note = TableName{schema, table}.quoted() + " references " + parent.quoted() +
                       ", which is not restored: its rows were loaded with " +
                       "foreign_key_checks=0 and are not checked against the target's " +
                       parent.quoted();
    log::warn(note);
    notes.push_back(std::move(note));
  }
}

// The deferred keys of `one` that the table does not have yet (an interrupted load may have
// built them already).
Result<std::vector<std::string>> missing_keys(Connection& connection, const DeferredIndexes& one) {
  TRY_ASSIGN(auto existing,
             connection.query("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS "
                              "WHERE TABLE_SCHEMA = '" +
                              connection.escape_string(one.schema) + "' AND TABLE_NAME = '" +
                              connection.escape_string(one.table) + "'"));
  std::set<std::string> names;
  for (const auto& row : existing.rows) names.insert(row.at(0).value_or(""));
  std::vector<std::string> missing;
  for (const auto& key : one.keys) {
    if (!names.contains(deferred_key_name(key))) missing.push_back(key);
  }
  return missing;
}

// One ALTER TABLE per table with deferred indexes, spread over the connections.
Result<void> build_deferred_indexes(std::vector<Connection>& connections,
                                    const std::vector<DeferredIndexes>& tables,
                                    LoadProgress* progress) {
  std::vector<const DeferredIndexes*> todo;
  for (const auto& one : tables) {
    if (progress == nullptr || !progress->done("indexes", one.key)) todo.push_back(&one);
  }
  if (todo.empty()) return {};
  log::info("building the secondary indexes of " + std::to_string(todo.size()) + " tables");
  return run_parallel(
      connections, todo.size(), [&](Connection& connection, std::size_t i) -> Result<void> {
        const auto& one = *todo[i];
        const std::string name = quote_identifier(one.schema) + "." + quote_identifier(one.table);
        TRY_ASSIGN(auto keys, missing_keys(connection, one));
        if (!keys.empty()) {
          auto done = connection.execute(add_indexes_statement(name, keys));
          if (!done) {
            return propagate(done.error().with_context("adding the secondary indexes of " + name));
          }
        }
        if (progress != nullptr) {
          TRY(progress->record("indexes", one.key));
        }
        return {};
      });
}

// What names the target of a load in its progress file: the server, the schema renames and
// the selection (a load of other tables is another load).
std::string target_identity(const Connection& connection, const LogicalRestoreOptions& options) {
  std::string identity = connection.endpoint();
  for (const auto& [from, to] : options.rename_schema) identity += " rename:" + from + "=" + to;
  if (options.only) identity += " only:" + options.only->text();
  return identity;
}

// Opens the progress file of this backup and target (nullopt without a progress directory)
// and decides: a new load, or the continuation of an interrupted one (`*resuming`).
Result<std::optional<LoadProgress>> open_progress(const Connection& control,
                                                  const repo::Manifest& manifest,
                                                  const LogicalRestoreOptions& options,
                                                  std::string* header, bool* resuming) {
  *resuming = false;
  if (options.progress_dir.empty()) return std::nullopt;
  const std::string target = target_identity(control, options);
  *header = "dbkeep-load-progress 1 " + manifest.set + "/" + manifest.id + " " + target;
  TRY_ASSIGN(auto progress, LoadProgress::open(LoadProgress::path_for(
                                options.progress_dir, manifest.set, manifest.id, target)));
  if (progress.header().empty()) {
    if (options.resume) {
      log::info("no interrupted load of " + manifest.set + "/" + manifest.id +
                " into this server was recorded; loading from the start");
    }
    return progress;
  }
  if (progress.header() != *header) {
    return fail("progress file " + progress.path().string() + " belongs to another load (" +
                progress.header() + "); remove it");
  }
  if (options.resume && !options.drop_existing) {
    log::info("resuming the interrupted load recorded in " + progress.path().string());
    *resuming = true;
  } else if (!options.drop_existing) {
    return fail("an earlier load of " + manifest.set + "/" + manifest.id + " into " +
                control.endpoint() + " was interrupted (progress file " + progress.path().string() +
                "); nothing was changed. Pass --resume to continue it, or --drop-existing to "
                "start over");
  }
  return progress;
}

}  // namespace

Result<LogicalRestoreResult> restore_logical(storage::Backend& backend,
                                             const repo::Manifest& manifest,
                                             const LogicalRestoreOptions& options) {
  TRY(require_restore_target(manifest, core::RestoreTarget::kServer));
  if (options.resume && options.drop_existing) {
    return usage_error(
        "--resume continues an interrupted load, --drop-existing starts over: "
        "pass one of them");
  }
  LogicalPlan plan(manifest, options.rename_schema, options.only ? &*options.only : nullptr);
  if (options.only) {
    TRY(options.only->check_against(plan.backup_tables, manifest.id));
    for (const auto& schema : plan.triggers_left_in_objects) {
      log::warn("the triggers of `" + schema + "` are kept with its routines and views in this " +
                "backup (taken before dbkeep stored them per table): the selected tables of `" +
                schema + "` are restored without them; restore `" + schema + "`.* to get them");
    }
  }
  TRY(check_users_request(plan, manifest, options.with_users, "loaded"));
  TRY_ASSIGN(auto control, Connection::connect(options.connection));
  TRY(prepare_load_session(control, options.skip_binlog));
  std::string header;
  bool resuming = false;
  TRY_ASSIGN(auto progress, open_progress(control, manifest, options, &header, &resuming));
  LoadProgress* record = progress ? &*progress : nullptr;
  if (!resuming) {
    auto checked = handle_existing(control, plan, options.drop_existing);
    if (checked && options.with_users && !options.drop_existing) {
      checked = refuse_existing_accounts(control, *plan.users);
    }
    if (!checked) {
      if (progress && progress->header().empty()) (void)progress->remove();
      return propagate(checked.error());
    }
    if (progress) {
      TRY(progress->start(header));
    }
  }

  LogicalRestoreResult result;
  std::vector<DeferredIndexes> deferred;
  for (const auto* file : plan.schemas) {
    TRY(control.execute(create_database_statement(*file, plan.target(*file))));
    ++result.schemas;
  }
  for (const auto* file : plan.tables) {
    TRY_ASSIGN(auto script, fetch_text(backend, *file));
    const std::string schema = plan.target(*file);
    const std::string table = file->string_attribute("table");
    TRY_ASSIGN(auto statements,
               script_statements(script, &deferred, {schema, table, file->stored.path, {}}));
    ++result.tables;
    if (options.only) {
      note_unrestored_parents(*options.only, file->string_attribute("schema"), table, script,
                              result.unchecked_foreign_keys);
    }
    if (resuming && progress->done("table", file->stored.path)) continue;
    if (resuming) {
      // Created by the interrupted run before it could record it; no data was loaded yet
      // (chunks start after every table is recorded).
      TRY(control.execute("DROP TABLE IF EXISTS " + quote_identifier(schema) + "." +
                          quote_identifier(table)));
    }
    TRY(run_statements(control, schema, statements, "table `" + table + "`"));
    if (record != nullptr) {
      TRY(record->record("table", file->stored.path));
    }
  }

  std::vector<ChunkLoad> chunks;
  for (const auto* file : plan.data) {
    chunks.push_back({file, plan.target(*file), file->string_attribute("table")});
    result.rows += rows_of(*file);
  }
  const std::size_t planned = chunks.size();
  if (resuming) {
    TRY_ASSIGN(chunks, chunks_to_resume(control, std::move(chunks), *progress));
    result.chunks_skipped = planned - chunks.size();
    log::info(std::to_string(result.chunks_skipped) + " of " + std::to_string(planned) +
              " chunks were loaded before the interruption");
  }
  // Largest first, so the workers finish together.
  std::ranges::stable_sort(chunks, std::greater<>{},
                           [](const ChunkLoad& chunk) { return chunk.file->stored.size; });
  const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const int wanted = options.workers > 0 ? options.workers : cores;
  const int count = std::max(1, std::min<int>(wanted, static_cast<int>(chunks.size())));
  std::vector<Connection> workers;
  for (int i = 0; i < count && !chunks.empty(); ++i) {
    TRY_ASSIGN(auto worker, Connection::connect(options.connection));
    TRY(prepare_load_session(worker, options.skip_binlog));
    workers.push_back(std::move(worker));
  }
  log::info("loading " + std::to_string(chunks.size()) + " chunks on " +
            std::to_string(workers.size()) + " connections");
  if (auto loaded = load_chunks_parallel(backend, workers, chunks, record); !loaded) {
    return propagate(loaded.error().with_context(
        record != nullptr ? "the load stopped part way; the tables it created are incomplete "
                            "(continue with --resume, or start over with --drop-existing)"
                          : "the load stopped part way; the tables it created are incomplete "
                            "(load again with --drop-existing)"));
  }
  result.chunks = chunks.size();
  if (workers.empty() && !deferred.empty()) {
    TRY_ASSIGN(auto worker, Connection::connect(options.connection));
    workers.push_back(std::move(worker));
  }
  TRY(build_deferred_indexes(workers, deferred, record));

  // Routines, views and events first: a trigger may call a routine.
  std::vector<const repo::ManifestFile*> after_data = plan.objects;
  after_data.insert(after_data.end(), plan.triggers.begin(), plan.triggers.end());
  for (const auto* file : after_data) {
    // Objects and triggers scripts are idempotent (DROP … IF EXISTS, CREATE OR REPLACE VIEW),
    // so one interrupted half way simply runs again.
    if (resuming && progress->done("objects", file->stored.path)) continue;
    TRY_ASSIGN(auto script, fetch_text(backend, *file));
    const std::string target = plan.target(*file);
    script = rename_references(std::move(script), file->string_attribute("schema"), target);
    TRY_ASSIGN(auto statements, script_statements(script));
    const std::string what =
        file->string_attribute("kind") == "table-triggers"
            ? "the triggers of `" + target + "`.`" + file->string_attribute("table") + "`"
            : "routines, views and events of `" + target + "`";
    TRY(run_statements(control, target, statements, what));
    if (record != nullptr) {
      TRY(record->record("objects", file->stored.path));
    }
  }
  if (options.with_users && !(resuming && progress->done("users", plan.users->stored.path))) {
    TRY_ASSIGN(auto script, fetch_text(backend, *plan.users));
    TRY_ASSIGN(result.accounts, load_users(control, script, options.drop_existing || resuming));
    log::info("created " + std::to_string(result.accounts) + " accounts with their grants");
    if (record != nullptr) {
      TRY(record->record("users", plan.users->stored.path));
    }
  }
  if (progress) {
    TRY(progress->remove());
  }
  return result;
}

}  // namespace dbkeep::restore::logical
