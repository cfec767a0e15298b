#include "dbkeep/source/mysql/server_probe.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "dbkeep/core/log.hpp"

namespace dbkeep::source::mysql {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSystemSchemas =
    "('mysql', 'information_schema', 'performance_schema', 'sys')";

// A count information_schema reports (NULL for views and some engines).
std::optional<std::uint64_t> count(const std::optional<std::string>& value) {
  std::uint64_t parsed = 0;
  if (!value ||
      std::from_chars(value->data(), value->data() + value->size(), parsed).ec != std::errc()) {
    return std::nullopt;
  }
  return parsed;
}

// Server paths may end in '/', and may be relative to the datadir ("./", "ib_logs").
fs::path resolve_against(const fs::path& datadir, const std::string& value) {
  if (value.empty()) return datadir;
  fs::path path(value);
  if (path.is_relative()) path = datadir / path;
  path = path.lexically_normal();
  if (!path.has_filename() && path != path.root_path()) path = path.parent_path();
  return path;
}

Flavor detect_flavor(const std::string& version, const std::string& comment) {
  if (version.find("MariaDB") != std::string::npos) return Flavor::kMariaDb;
  if (comment.find("Percona") != std::string::npos) return Flavor::kPercona;
  return Flavor::kMySql;
}

Result<std::map<std::string, std::string>> global_variables(Connection& connection) {
  TRY_ASSIGN(auto result,
             connection.query("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('datadir', "
                              "'innodb_data_home_dir', 'innodb_log_group_home_dir', "
                              "'innodb_undo_directory', 'innodb_data_file_path', 'log_bin', "
                              "'log_bin_basename', 'server_id', 'server_uuid')"));
  std::map<std::string, std::string> variables;
  for (const auto& row : result.rows) {
    if (row.size() >= 2 && row[0]) variables[*row[0]] = row[1].value_or("");
  }
  return variables;
}

// The tablespace files the server lists; a sample is enough to recognise its datadir.
constexpr std::size_t kTablespaceSample = 1000;

// Tablespace file names differ per flavor and version; the first query the server knows wins.
// Failing all of them (e.g. no PROCESS privilege) only loses the external-tablespace check and
// the sample of files inside the datadir.
void find_tablespace_files(Connection& connection, ServerFacts& facts) {
  const fs::path& datadir = facts.datadir;
  static const char* const kQueries[] = {
      "SELECT FILENAME FROM information_schema.INNODB_SYS_TABLESPACES",  // MariaDB >= 10.6
      "SELECT PATH FROM information_schema.INNODB_SYS_DATAFILES",        // older MariaDB, 5.7
      "SELECT FILE_NAME FROM information_schema.FILES WHERE ENGINE = 'InnoDB'",  // MySQL 8
  };
  for (const char* sql : kQueries) {
    auto result = connection.query(sql);
    if (!result) continue;
    for (const auto& row : result->rows) {
      if (row.empty() || !row[0] || row[0]->empty()) continue;
      fs::path file = resolve_against(datadir, *row[0]);
      auto relative = file.lexically_relative(datadir);
      if (relative.empty() || *relative.begin() == "..") {
        facts.external_tablespace_files.push_back(file);
      } else if (facts.tablespace_files_in_datadir.size() < kTablespaceSample) {
        facts.tablespace_files_in_datadir.push_back(relative);
      }
    }
    return;
  }
  log::warn("cannot list InnoDB tablespace files on " + connection.endpoint() +
            " (PROCESS privilege missing?); tables with DATA DIRECTORY outside the datadir "
            "will not be detected");
}

}  // namespace

std::string_view flavor_name(Flavor flavor) {
  switch (flavor) {
    case Flavor::kMariaDb:
      return "mariadb";
    case Flavor::kMySql:
      return "mysql";
    case Flavor::kPercona:
      return "percona";
  }
  return "mysql";
}

unsigned parse_version_number(std::string_view version) {
  unsigned parts[3] = {0, 0, 0};
  const char* cursor = version.data();
  const char* end = version.data() + version.size();
  for (unsigned& part : parts) {
    auto [next, ec] = std::from_chars(cursor, end, part);
    if (ec != std::errc()) break;
    cursor = next;
    if (cursor == end || *cursor != '.') break;
    ++cursor;
  }
  return parts[0] * 10000 + parts[1] * 100 + parts[2];
}

Result<ServerVersion> probe_version(Connection& connection) {
  TRY_ASSIGN(auto result, connection.query("SELECT @@version, @@version_comment"));
  if (result.rows.empty())
    return fail("server on " + connection.endpoint() + " reported no version");
  ServerVersion version;
  version.text = result.rows[0][0].value_or("");
  version.number = parse_version_number(version.text);
  version.flavor = detect_flavor(version.text, result.rows[0][1].value_or(""));
  return version;
}

Result<ServerFacts> probe_server(Connection& connection) {
  ServerFacts facts;
  TRY_ASSIGN(facts.version, probe_version(connection));
  TRY_ASSIGN(auto variables, global_variables(connection));
  if (variables["datadir"].empty()) {
    return fail("server on " + connection.endpoint() + " did not report its datadir");
  }
  facts.datadir = resolve_against("/", variables["datadir"]);
  facts.innodb_data_home_dir = resolve_against(facts.datadir, variables["innodb_data_home_dir"]);
  facts.innodb_log_group_home_dir =
      resolve_against(facts.datadir, variables["innodb_log_group_home_dir"]);
  facts.innodb_undo_directory = resolve_against(facts.datadir, variables["innodb_undo_directory"]);
  facts.log_bin = variables["log_bin"] == "ON" || variables["log_bin"] == "1";
  if (facts.log_bin && !variables["log_bin_basename"].empty()) {
    facts.log_bin_basename = resolve_against(facts.datadir, variables["log_bin_basename"]);
  }
  std::from_chars(variables["server_id"].data(),
                  variables["server_id"].data() + variables["server_id"].size(), facts.server_id);
  facts.server_uuid = variables["server_uuid"];
  facts.server_datadir = facts.datadir;
  facts.innodb_data_file_path = variables["innodb_data_file_path"];
  find_tablespace_files(connection, facts);

  TRY_ASSIGN(auto engines, connection.query(std::string("SELECT DISTINCT ENGINE FROM "
                                                        "information_schema.TABLES WHERE "
                                                        "ENGINE IS NOT NULL AND TABLE_SCHEMA "
                                                        "NOT IN ") +
                                            kSystemSchemas + " ORDER BY ENGINE"));
  for (const auto& row : engines.rows) facts.engines_in_use.push_back(row[0].value_or(""));

  TRY_ASSIGN(auto size,
             connection.query_single_value("SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) "
                                           "FROM information_schema.TABLES"));
  if (size) std::from_chars(size->data(), size->data() + size->size(), facts.estimated_data_bytes);

  TRY_ASSIGN(facts.tables, read_user_tables(connection));
  return facts;
}

Result<std::vector<repo::TableEntry>> read_user_tables(Connection& connection) {
  TRY_ASSIGN(auto tables,
             connection.query(std::string("SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, TABLE_ROWS, "
                                          "DATA_LENGTH + INDEX_LENGTH FROM "
                                          "information_schema.TABLES WHERE TABLE_TYPE IN ('BASE "
                                          "TABLE', 'SYSTEM VERSIONED') AND TABLE_SCHEMA NOT IN ") +
                              kSystemSchemas + " ORDER BY TABLE_SCHEMA, TABLE_NAME"));
  std::vector<repo::TableEntry> out;
  for (const auto& row : tables.rows) {
    out.push_back({row[0].value_or(""), row[1].value_or(""), row[2].value_or(""), count(row[3]),
                   false, count(row[4])});
  }
  return out;
}

std::vector<fs::path> paths_requiring_snapshot(const ServerFacts& facts) {
  std::vector<fs::path> paths{facts.datadir, facts.innodb_data_home_dir,
                              facts.innodb_log_group_home_dir, facts.innodb_undo_directory};
  paths.insert(paths.end(), facts.external_tablespace_files.begin(),
               facts.external_tablespace_files.end());
  std::vector<fs::path> unique;
  for (auto& path : paths) {
    if (path.empty()) continue;
    path = path.lexically_normal();
    if (std::ranges::find(unique, path) == unique.end()) unique.push_back(path);
  }
  return unique;
}

}  // namespace dbkeep::source::mysql
