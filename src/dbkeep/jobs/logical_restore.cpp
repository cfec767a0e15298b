#include "dbkeep/jobs/logical_restore.hpp"

#include <algorithm>
#include <set>
#include <thread>

#include "dbkeep/core/log.hpp"
#include "dbkeep/jobs/chunk_loader.hpp"
#include "dbkeep/jobs/deferred_indexes.hpp"
#include "dbkeep/jobs/sql_script.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::jobs {
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
    }
  }
  [[nodiscard]] std::string target(const repo::ManifestFile& file) const {
    std::string schema = file.string_attribute("schema");
    auto found = rename_.find(schema);
    return found == rename_.end() ? schema : found->second;
  }

  std::vector<const repo::ManifestFile*> schemas, tables, data, objects;

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
  std::vector<std::string> keys;
};

// Runs a script's statements; with `deferred` (a table's schema file), its CREATE TABLE loses
// its secondary indexes, which are appended to `deferred` for after the data.
Result<void> run_script(Connection& connection, const std::string& schema,
                        const std::string& script, const std::string& what,
                        std::vector<DeferredIndexes>* deferred = nullptr,
                        const std::string& table = {}) {
  TRY(connection.execute("USE " + quote_identifier(schema)));
  TRY_ASSIGN(auto statements, split_sql_script(script));
  for (auto& statement : statements) {
    if (deferred != nullptr && statement.starts_with("CREATE TABLE ")) {
      auto split = split_secondary_indexes(statement);
      if (!split.deferred.empty()) {
        deferred->push_back({schema, table, std::move(split.deferred)});
        statement = std::move(split.create);
      }
    }
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

// One ALTER TABLE per table with deferred indexes, spread over the connections.
Result<void> build_deferred_indexes(std::vector<Connection>& connections,
                                    const std::vector<DeferredIndexes>& tables) {
  if (tables.empty()) return {};
  log::info("building the secondary indexes of " + std::to_string(tables.size()) + " tables");
  return run_parallel(
      connections, tables.size(), [&](Connection& connection, std::size_t i) -> Result<void> {
        const auto& one = tables[i];
        const std::string name = quote_identifier(one.schema) + "." + quote_identifier(one.table);
        auto done = connection.execute(add_indexes_statement(name, one.keys));
        if (!done) {
          return propagate(done.error().with_context("adding the secondary indexes of " + name));
        }
        return {};
      });
}

}  // namespace

Result<LogicalRestoreResult> restore_logical(storage::Backend& backend,
                                             const repo::Manifest& manifest,
                                             const LogicalRestoreOptions& options) {
  if (manifest.method != "logical") {
    return usage_error("backup " + manifest.set + "/" + manifest.id + " was taken with method '" +
                       manifest.method + "'; --to-server loads logical backups only");
  }
  Plan plan(manifest, options.rename_schema);
  TRY_ASSIGN(auto control, Connection::connect(options.connection));
  TRY(prepare_load_session(control, options.skip_binlog));
  TRY(handle_existing(control, plan, options.drop_existing));

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
    const std::string table = file->string_attribute("table");
    TRY(run_script(control, plan.target(*file), script, "table `" + table + "`", &deferred, table));
    ++result.tables;
  }

  std::vector<ChunkLoad> chunks;
  for (const auto* file : plan.data) {
    chunks.push_back({file, plan.target(*file)});
    result.rows += rows_of(*file);
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
  if (auto loaded = load_chunks_parallel(backend, workers, chunks); !loaded) {
    return propagate(loaded.error().with_context(
        "the load stopped part way; the tables it created are incomplete (load again with "
        "--drop-existing)"));
  }
  result.chunks = chunks.size();
  if (workers.empty() && !deferred.empty()) {
    TRY_ASSIGN(auto worker, Connection::connect(options.connection));
    workers.push_back(std::move(worker));
  }
  TRY(build_deferred_indexes(workers, deferred));

  for (const auto* file : plan.objects) {
    TRY_ASSIGN(auto script, fetch_text(backend, *file));
    const std::string target = plan.target(*file);
    script = rename_references(std::move(script), file->string_attribute("schema"), target);
    TRY(run_script(control, target, script,
                   "routines, views, triggers and events of `" + target + "`"));
  }
  return result;
}

}  // namespace dbkeep::jobs
