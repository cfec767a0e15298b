#include "dbkeep/verify/mysql_drill.hpp"

#include <map>
#include <set>

#include "dbkeep/core/log.hpp"
#include "dbkeep/restore/restored_server.hpp"
#include "dbkeep/restore/scratch_restore.hpp"
#include "dbkeep/restore/scratch_server.hpp"
#include "dbkeep/restore/server_checks.hpp"

namespace dbkeep::verify {
namespace fs = std::filesystem;
namespace {

using restore::check_server_tables;
using restore::file_tail;
using restore::ScratchServer;
using restore::tables_named_in_log;

// Failures that say nothing about the backup: the drill cannot run here, or was stopped.
bool about_us(const Error& error) {
  return error.kind == ErrorKind::kUsage || error.kind == ErrorKind::kCancelled;
}

// "schema.table" -> rows, summed over each table's data chunks; a table with a chunk that did
// not record its rows is left out (nothing to compare with).
std::map<std::string, std::uint64_t> recorded_rows(const repo::Manifest& manifest) {
  std::map<std::string, std::uint64_t> rows;
  std::set<std::string> unknown;
  for (const auto& file : manifest.files) {
    if (file.string_attribute("kind") != "table-data") continue;
    const std::string table =
        file.string_attribute("schema") + "." + file.string_attribute("table");
    auto count = file.attributes.find("rows");
    if (count == file.attributes.end() || !count->is_number_unsigned()) {
      unknown.insert(table);
      continue;
    }
    rows[table] += count->get<std::uint64_t>();
  }
  for (const auto& table : unknown) rows.erase(table);
  // Tables recorded without data chunks (empty tables) must exist with no rows.
  for (const auto& file : manifest.files) {
    if (file.string_attribute("kind") != "table-schema") continue;
    const std::string table =
        file.string_attribute("schema") + "." + file.string_attribute("table");
    if (!unknown.contains(table)) rows.try_emplace(table, 0);
  }
  return rows;
}

// Chunk files named in a loader error, as table problems.
void name_tables_in_load_error(const repo::Manifest& manifest, const std::string& message,
                               std::vector<std::string>& problems) {
  std::set<std::string> named;
  for (const auto& file : manifest.files) {
    if (file.string_attribute("kind") != "table-data") continue;
    if (message.find(file.stored.path) == std::string::npos) continue;
    const std::string table =
        file.string_attribute("schema") + "." + file.string_attribute("table");
    if (named.insert(table).second) {
      problems.push_back("table " + table + ": its data did not load (" + file.stored.path + ")");
    }
  }
}

void name_tables_in_log(const fs::path& error_log, std::vector<std::string>& problems) {
  for (const auto& table : tables_named_in_log(file_tail(error_log, 200))) {
    problems.push_back("table " + table + ": named in the scratch server's error log");
  }
}

}  // namespace

Result<void> drill_mysql(repo::Repository& repository, const repo::Manifest& manifest,
                         const DrillOptions& options, const fs::path& scratch,
                         DrillReport& report) {
  restore::ScratchRestoreOptions scratch_options{options.server_binary, options.owner};
  TRY_ASSIGN(const auto target, restore::prepare_scratch(manifest, scratch_options, scratch));
  if (auto done = restore::materialize(repository, manifest, target); !done) {
    if (about_us(done.error())) return propagate(done.error());
    report.problems.push_back("the backup did not restore: " + done.error().message);
    return {};
  }

  auto server = ScratchServer::start(target.server);
  if (!server) {
    if (about_us(server.error())) return propagate(server.error());
    report.problems.push_back("no server would start on the restored data: " +
                              server.error().message);
    name_tables_in_log(target.server.runtime_dir / "error.log", report.problems);
    return {};
  }
  TRY_ASSIGN(auto connection, (*server)->connect());

  std::map<std::string, std::uint64_t> expected;
  if (restore::loads_into_server(manifest)) {
    if (auto loaded = restore::load(repository, manifest, target, **server); !loaded) {
      if (about_us(loaded.error())) return propagate(loaded.error());
      report.problems.push_back("loading the backup failed: " + loaded.error().message);
      name_tables_in_load_error(manifest, loaded.error().message, report.problems);
    }
    expected = recorded_rows(manifest);
  }
  if (options.roll_forward && report.problems.empty()) {
    auto applied = options.roll_forward((*server)->connection_options());
    if (!applied) {
      if (about_us(applied.error())) return propagate(applied.error());
      report.problems.push_back("the point-in-time roll-forward failed: " +
                                applied.error().message);
    } else {
      report.rolled_forward = *applied;
    }
    expected.clear();  // the manifest's counts are those of the backup's moment
  }
  TRY_ASSIGN(auto checked, check_server_tables(connection, expected));
  report.tables_checked += checked.tables_checked;
  report.rows_checked += checked.rows_checked;
  report.problems.insert(report.problems.end(), checked.problems.begin(), checked.problems.end());
  if (auto how = (*server)->exited()) {
    report.problems.push_back("the scratch server stopped during the checks; its log ends with:\n" +
                              file_tail((*server)->error_log()));
    name_tables_in_log((*server)->error_log(), report.problems);
  }
  return {};
}

}  // namespace dbkeep::verify
