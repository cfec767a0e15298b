#include "dbkeep/restore/logical/logical_restore.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <thread>

#include "dbkeep/core/log.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/restore/logical/chunk_loader.hpp"
#include "dbkeep/restore/logical/deferred_indexes.hpp"
#include "dbkeep/restore/logical/in_doubt_chunks.hpp"
#include "dbkeep/restore/logical/load_progress.hpp"
#include "dbkeep/restore/logical/sql_script.hpp"
#include "dbkeep/restore/logical/users_restore.hpp"
#include "dbkeep/restore/method_restore.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::restore::logical {
namespace {

using source::mysql::Connection;
using source::mysql::logical::quote_identifier;

class StringSink final : public pipeline::ByteSink {
 public:
  Result<void> write(std::span<const std::byte> data) override {
    text.append(reinterpret_cast<const char*>(data.data()), data.size());
    return {};
  }
  Result<void> finish() override { return {}; }
  std::string text;
};

std::string kind_of(const repo::ManifestFile& file) {
  return file.string_attribute("kind");
}

class Plan {
 public:
  Plan(const repo::Manifest& manifest, const std::map<std::string, std::string>& rename)
      : rename_(rename) {
    for (const auto& file : manifest.files) {
      const std::string kind = kind_of(file);
      if (kind == "schema") schemas.push_back(&file);
      if (kind == "table-schema") tables.push_back(&file);
      if (kind == "table-data") data.push_back(&file);
      if (kind == "objects") objects.push_back(&file);
      if (kind == "users") users = &file;
    }
  }
  [[nodiscard]] std::string target(const repo::ManifestFile& file) const {
    std::string schema = file.string_attribute("schema");
    auto found = rename_.find(schema);
    return found == rename_.end() ? schema : found->second;
  }

  std::vector<const repo::ManifestFile*> schemas, tables, data, objects;
  const repo::ManifestFile* users = nullptr;

 private:
  const std::map<std::string, std::string>& rename_;
};

Result<std::string> fetch_text(storage::Backend& backend, const repo::ManifestFile& file) {
  StringSink sink;
  TRY(pipeline::fetch_stream(backend, file.stored, sink));
  return std::move(sink.text);
}

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
Result<void> handle_existing(Connection& connection, const Plan& plan, bool drop) {
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

// View definitions name their schema (`db`.`t`); point them at the renamed schema.
std::string rename_references(std::string text, const std::string& from, const std::string& to) {
  if (from == to) return text;
  const std::string old_prefix = quote_identifier(from) + ".";
  const std::string new_prefix = quote_identifier(to) + ".";
  for (std::size_t at = 0; (at = text.find(old_prefix, at)) != std::string::npos;) {
    text.replace(at, old_prefix.size(), new_prefix);
    at += new_prefix.size();
  }
  return text;
}

std::uint64_t rows_of(const repo::ManifestFile& file) {
  auto found = file.attributes.find("rows");
  return found != file.attributes.end() && found->is_number() ? found->get<std::uint64_t>() : 0;
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

// What names the target of a load in its progress file: the server and the schema renames.
std::string target_identity(const Connection& connection,
                            const std::map<std::string, std::string>& renames) {
  std::string identity = connection.endpoint();
  for (const auto& [from, to] : renames) identity += " rename:" + from + "=" + to;
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
  const std::string target = target_identity(control, options.rename_schema);
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
  Plan plan(manifest, options.rename_schema);
  if (options.with_users && plan.users == nullptr) {
    return usage_error("backup " + manifest.set + "/" + manifest.id +
                       " holds no users and grants (it was taken without include_users = true)");
  }
  if (!options.with_users && plan.users != nullptr) {
    log::info("the backup holds users and grants; they are not loaded without --with-users");
  }
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
    std::string sql = "CREATE DATABASE IF NOT EXISTS " + quote_identifier(plan.target(*file));
    const std::string charset = file->string_attribute("charset");
    const std::string collation = file->string_attribute("collation");
    if (!charset.empty()) sql += " CHARACTER SET " + charset;
    if (!collation.empty()) sql += " COLLATE " + collation;
    TRY(control.execute(sql));
    ++result.schemas;
  }
  for (const auto* file : plan.tables) {
    TRY_ASSIGN(auto script, fetch_text(backend, *file));
    const std::string schema = plan.target(*file);
    const std::string table = file->string_attribute("table");
    TRY_ASSIGN(auto statements,
               script_statements(script, &deferred, {schema, table, file->stored.path, {}}));
    ++result.tables;
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

  for (const auto* file : plan.objects) {
    // The objects script is idempotent (DROP … IF EXISTS, CREATE OR REPLACE VIEW), so one
    // interrupted half way simply runs again.
    if (resuming && progress->done("objects", file->stored.path)) continue;
    TRY_ASSIGN(auto script, fetch_text(backend, *file));
    const std::string target = plan.target(*file);
    script = rename_references(std::move(script), file->string_attribute("schema"), target);
    TRY_ASSIGN(auto statements, script_statements(script));
    TRY(run_statements(control, target, statements,
                       "routines, views, triggers and events of `" + target + "`"));
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
