#include "dbkeep/cli/backup_view.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/table_inventory.hpp"
#include "dbkeep/verify/restore_drill.hpp"
#include "dbkeep/verify/verification_record.hpp"

namespace dbkeep::cli {
namespace {

// `show ID --tables`: the schemas and tables of a MySQL backup (repo/table_inventory.hpp).
Result<int> show_tables(CommandContext& context, const repo::Manifest& manifest) {
  if (manifest.source != core::SourceKind::kMysql) {
    return usage_error("backup " + manifest.id + " is an SQLite backup: --tables lists the " +
                       "tables of MySQL backups");
  }
  const auto tables = repo::backup_tables(manifest);
  if (context.global().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& table : tables) {
      nlohmann::json one = {{"schema", table.schema}, {"table", table.table}};
      one["engine"] = table.engine.empty() ? nlohmann::json(nullptr) : nlohmann::json(table.engine);
      one["rows"] = table.rows ? nlohmann::json(*table.rows) : nlohmann::json(nullptr);
      one["rows_exact"] = table.rows_exact;
      one["bytes"] = table.bytes ? nlohmann::json(*table.bytes) : nlohmann::json(nullptr);
      list.push_back(std::move(one));
    }
    context.print_json({{"id", manifest.id}, {"set", manifest.set}, {"tables", list}});
    return 0;
  }
  if (tables.empty()) {
    context.print("backup " + manifest.set + "/" + manifest.id +
                  " does not list its tables (a physical backup taken before dbkeep recorded "
                  "them, or a server with no user tables)\n");
    return 0;
  }
  std::string out = "tables of " + manifest.set + "/" + manifest.id + " (" +
                    std::string(core::method_traits(manifest.method).name) + "; rows " +
                    (tables.front().rows_exact ? "as dumped" : "as the server estimated them") +
                    "):\n";
  std::string schema;
  for (const auto& table : tables) {
    if (table.schema != schema) {
      schema = table.schema;
      out += "  " + schema + "\n";
    }
    std::string line = "    " + table.table;
    if (line.size() < 36) line.resize(36, ' ');
    line += " " + (table.engine.empty() ? std::string("-") : table.engine);
    if (line.size() < 48) line.resize(48, ' ');
    line += " " + (table.rows ? std::to_string(*table.rows) + " rows" : std::string("- rows"));
    if (line.size() < 66) line.resize(66, ' ');
    line += " " + (table.bytes ? core::format_bytes(*table.bytes) : std::string("-"));
    out += line + "\n";
  }
  context.print(out);
  return 0;
}

}  // namespace

Result<int> show_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  const bool tables = context.args().flag("--tables");
  auto ids = context.args().positionals();
  TRY(context.args().expect_empty("show"));
  if (ids.size() != 1) return usage_error("dbkeep show needs exactly one backup ID");
  TRY_ASSIGN(auto* repository, context.repository());
  TRY_ASSIGN(auto manifest, repository->find(ids.front(), set));
  if (tables) return show_tables(context, manifest);
  TRY_ASSIGN(bool pinned, repository->is_pinned(manifest.set, manifest.id));
  TRY_ASSIGN(auto checked,
             verify::last_verification(repository->backend(), manifest.set, manifest.id));
  if (context.global().json) {
    // The manifest itself, plus what lives next to it rather than in it: pin and last check.
    auto document = repo::manifest_to_json(manifest);
    document["pinned"] = pinned;
    document["last_verified"] = checked ? *checked : nlohmann::json(nullptr);
    context.print_json(document);
  } else {
    context.print(backup_details(manifest, pinned) +
                  "last verified: " + describe_last_verification(checked) + "\n");
  }
  return 0;
}

}  // namespace dbkeep::cli
