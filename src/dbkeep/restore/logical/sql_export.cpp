#include "dbkeep/restore/logical/sql_export.hpp"

#include <algorithm>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/core/version.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/repo/binlog_position.hpp"
#include "dbkeep/restore/logical/logical_plan.hpp"
#include "dbkeep/restore/logical/sql_script.hpp"
#include "dbkeep/restore/logical/users_restore.hpp"
#include "dbkeep/restore/method_restore.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::restore::logical {
namespace {

using source::mysql::logical::append_string_literal;
using source::mysql::logical::quote_identifier;

// The script's end of the chain: counts what goes out, remembers whether the last byte ended a
// line (backup files need not end with one), and stops on Ctrl-C between writes.
class ScriptWriter final : public pipeline::ByteSink {
 public:
  explicit ScriptWriter(pipeline::ByteSink& out) : out_(out) {}

  Result<void> write(std::span<const std::byte> data) override {
    if (data.empty()) return {};
    TRY(core::check_cancellation());
    TRY(out_.write(data));
    bytes_ += data.size();
    at_line_start_ = data.back() == std::byte{'\n'};
    return {};
  }
  Result<void> finish() override { return {}; }

  Result<void> text(std::string_view sql) {
    return write(std::as_bytes(std::span(sql.data(), sql.size())));
  }
  Result<void> end_line() { return at_line_start_ ? Result<void>{} : text("\n"); }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

 private:
  pipeline::ByteSink& out_;
  std::uint64_t bytes_ = 0;
  bool at_line_start_ = true;
};

// One line of a comment: whatever a fact holds, it cannot end the comment early.
std::string comment(std::string text) {
  std::ranges::replace(text, '\n', ' ');
  std::ranges::replace(text, '\r', ' ');
  return "-- " + text + "\n";
}

std::string fact(const repo::Manifest& manifest, const char* key) {
  auto found = manifest.facts.find(key);
  return found != manifest.facts.end() && found->is_string() ? found->get<std::string>() : "";
}

std::string header(const repo::Manifest& manifest) {
  std::string text = comment("SQL script written by dbkeep " + std::string(core::kVersion) +
                             " from logical backup " + manifest.set + "/" + manifest.id);
  text += comment("backup taken " + core::format_iso_utc(manifest.started_at) + " by dbkeep " +
                  manifest.tool_version + " on " + manifest.host);
  if (auto version = fact(manifest, "server_version"); !version.empty()) {
    text += comment("source server version: " + version);
  }
  if (auto mode = fact(manifest, "source_sql_mode"); !mode.empty()) {
    text += comment("source server sql_mode: " + mode);
  }
  const auto position = repo::read_binlog_position(manifest);
  if (position && !position->binlog_file.empty()) {
    std::string file;
    append_string_literal(file, position->binlog_file);
    text += comment("binlog position: " + position->binlog_file + ":" +
                    std::to_string(position->binlog_position));
    text += comment("CHANGE MASTER TO MASTER_LOG_FILE=" + file +
                    ", MASTER_LOG_POS=" + std::to_string(position->binlog_position) + ";");
  }
  if (position && !position->gtid_binlog_pos.empty()) {
    text += comment("GTID position (gtid_binlog_pos): " + position->gtid_binlog_pos);
  }
  if (position && !position->gtid_executed.empty()) {
    text += comment("GTID executed: " + position->gtid_executed);
  }
  text += comment("load it with: mariadb < FILE   (or: zstd -dc FILE | mariadb, gzip -dc …)");
  // The session as the loader sets it (chunk_loader's prepare_load_session), the old values
  // kept for the end, as mysqldump does.
  text +=
      "\nSET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT, "
      "@OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS, "
      "@OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION;\n"
      "SET NAMES utf8mb4;\n"
      "SET @OLD_TIME_ZONE=@@TIME_ZONE, TIME_ZONE='+00:00';\n"
      "SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0;\n"
      "SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0;\n"
      "SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO';\n"
      "SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0;\n";
  return text;
}

constexpr std::string_view kFooter =
    "\nSET SQL_MODE=@OLD_SQL_MODE, FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS, "
    "UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS, TIME_ZONE=@OLD_TIME_ZONE, SQL_NOTES=@OLD_SQL_NOTES;\n"
    "SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT, "
    "CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS, "
    "COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION;\n"
    "-- dbkeep: end of script\n";

std::string use(const std::string& schema) {
  return "USE " + quote_identifier(schema) + ";\n";
}

// The data chunks of each table (by its schema file's schema and table), in key order.
using TableKey = std::pair<std::string, std::string>;
std::map<TableKey, std::vector<const repo::ManifestFile*>> chunks_by_table(
    const LogicalPlan& plan) {
  std::map<TableKey, std::vector<const repo::ManifestFile*>> chunks;
  for (const auto* file : plan.data) {
    chunks[{file->string_attribute("schema"), file->string_attribute("table")}].push_back(file);
  }
  auto number = [](const repo::ManifestFile* file) {
    auto found = file->attributes.find("chunk");
    return found != file->attributes.end() && found->is_number() ? found->get<std::int64_t>() : 0;
  };
  for (auto& [key, files] : chunks) std::ranges::stable_sort(files, {}, number);
  return chunks;
}

// A small file of the backup, checked whole before any of it is written.
Result<void> write_text_file(storage::Backend& backend, const repo::ManifestFile& file,
                             ScriptWriter& writer) {
  TRY_ASSIGN(auto text, fetch_text(backend, file));
  TRY(writer.text(text));
  return writer.end_line();
}

// The placeholder views of an objects script (object_dump writes them as
// "CREATE OR REPLACE VIEW `v` AS SELECT 1 AS `c`, …" before the real definitions, which come
// from SHOW CREATE VIEW and so start "CREATE OR REPLACE ALGORITHM=").
Result<std::string> placeholder_views(const std::string& objects_script) {
  TRY_ASSIGN(auto statements, split_sql_script(objects_script));
  std::string placeholders;
  for (const auto& statement : statements) {
    if (statement.starts_with("CREATE OR REPLACE VIEW ")) placeholders += statement + ";\n";
  }
  return placeholders;
}

Result<void> write_table(storage::Backend& backend, const repo::ManifestFile& definition,
                         const std::vector<const repo::ManifestFile*>& chunks,
                         const SqlExportOptions& options, ScriptWriter& writer,
                         SqlExportResult& result) {
  const std::string table = definition.string_attribute("table");
  TRY(writer.text("\n" + comment("table " + quote_identifier(table))));
  if (options.drop_existing) {
    TRY(writer.text("DROP TABLE IF EXISTS " + quote_identifier(table) + ";\n"));
  }
  TRY(write_text_file(backend, definition, writer));
  for (const auto* chunk : chunks) {
    TRY(writer.text("START TRANSACTION;\n"));
    if (auto streamed = pipeline::fetch_stream(backend, chunk->stored, writer); !streamed) {
      return propagate(streamed.error().with_context("writing the data of `" + table + "`"));
    }
    TRY(writer.end_line());
    TRY(writer.text("COMMIT;\n"));
    ++result.chunks;
    result.rows += rows_of(*chunk);
  }
  ++result.tables;
  return {};
}

}  // namespace

Result<void> require_sql_export(const repo::Manifest& manifest) {
  switch (manifest.method) {
    case core::Method::kLogical:
      return {};
    case core::Method::kOnline:
    case core::Method::kSnapshot:
    case core::Method::kPhysical:
      break;
  }
  const auto& traits = core::method_traits(manifest.method);
  return usage_error("backup " + manifest.set + "/" + manifest.id + " is a " +
                     std::string(core::to_string(manifest.source)) + " " +
                     std::string(traits.name) +
                     " backup (files, not SQL); --to-sql writes only logical backups as SQL. "
                     "Restore it with " +
                     std::string(restore_flag(traits.restore_target)));
}

Result<SqlExportResult> export_sql_script(storage::Backend& backend, const repo::Manifest& manifest,
                                          const SqlExportOptions& options,
                                          pipeline::ByteSink& out) {
  TRY(require_sql_export(manifest));
  LogicalPlan plan(manifest, options.rename_schema, options.only ? &*options.only : nullptr);
  if (options.only) {
    TRY(options.only->check_against(plan.backup_tables, manifest.id));
  }
  TRY(check_users_request(plan, manifest, options.with_users, "written"));
  ScriptWriter writer(out);
  SqlExportResult result;
  TRY(writer.text(header(manifest)));
  const auto chunks = chunks_by_table(plan);
  const std::vector<const repo::ManifestFile*> no_chunks;
  for (const auto* schema : plan.schemas) {
    const std::string name = schema->string_attribute("schema");
    const std::string target = plan.target(*schema);
    TRY(writer.text("\n" + comment("schema " + quote_identifier(target)) +
                    create_database_statement(*schema, target) + ";\n" + use(target)));
    for (const auto* table : plan.tables) {
      if (table->string_attribute("schema") != name) continue;
      auto found = chunks.find({name, table->string_attribute("table")});
      TRY(write_table(backend, *table, found == chunks.end() ? no_chunks : found->second, options,
                      writer, result));
    }
    ++result.schemas;
  }
  // After all data, so triggers never fire on loaded rows and views find every table. Every
  // schema's placeholder views come first, so a view may use a view of a schema whose objects
  // come later (the files are small DDL, held like the loader holds them).
  std::vector<std::string> scripts;
  TRY(writer.text("\n" + comment("placeholder views of every schema, replaced below") +
                  "SET NAMES utf8mb4;\n"));
  for (const auto* objects : plan.objects) {
    const std::string target = plan.target(*objects);
    TRY_ASSIGN(auto script, fetch_text(backend, *objects));
    scripts.push_back(
        rename_references(std::move(script), objects->string_attribute("schema"), target));
    TRY_ASSIGN(auto placeholders, placeholder_views(scripts.back()));
    if (!placeholders.empty()) TRY(writer.text(use(target) + placeholders));
  }
  for (std::size_t i = 0; i < plan.objects.size(); ++i) {
    const std::string target = plan.target(*plan.objects[i]);
    TRY(writer.text("\n" + comment("routines, views and events of " + quote_identifier(target)) +
                    use(target) + scripts[i]));
    TRY(writer.end_line());
  }
  for (const auto* triggers : plan.triggers) {
    const std::string target = plan.target(*triggers);
    TRY_ASSIGN(auto script, fetch_text(backend, *triggers));
    TRY(writer.text(
        "\n" +
        comment("triggers of " + quote_identifier(target) + "." +
                quote_identifier(triggers->string_attribute("table"))) +
        use(target) +
        rename_references(std::move(script), triggers->string_attribute("schema"), target)));
    TRY(writer.end_line());
  }
  if (options.with_users) {
    // Never logged: the statements hold password hashes.
    TRY_ASSIGN(auto script, fetch_text(backend, *plan.users));
    TRY_ASSIGN(auto statements, users_statements(script, options.drop_existing));
    TRY(writer.text("\n" + comment("accounts, roles and grants")));
    for (const auto& statement : statements) {
      TRY(writer.text(statement + ";\n"));
      if (creates_account(statement)) ++result.accounts;
    }
  }
  TRY(writer.text(kFooter));
  result.bytes = writer.bytes();
  return result;
}

}  // namespace dbkeep::restore::logical
