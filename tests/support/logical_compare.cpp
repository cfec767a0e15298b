#include "support/logical_compare.hpp"

#include <sstream>
#include <stdexcept>

#include "dbkeep/core/command_runner.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {

std::string logical_dump_of(const MariaDbServer& server, const std::string& schema) {
  core::SystemCommandRunner runner;
  auto result = core::run_checked(
      runner, {{"mariadb-dump", "--no-defaults", "--socket", server.socket().string(), "-uroot",
                "--skip-dump-date", "--order-by-primary", "--hex-blob", "--routines", "--triggers",
                "--events", "--databases", schema}});
  if (!result) throw std::runtime_error(result.error().message);
  return result->stdout_text;
}

std::map<std::string, std::string> table_checksums(const MariaDbServer& server,
                                                   const std::string& schema) {
  std::map<std::string, std::string> out;
  auto tables = server.query(
      "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND "
      "TABLE_SCHEMA = '" +
      schema + "'");
  for (const auto& row : tables.rows) {
    std::string name = *row[0];
    std::string quoted;
    for (char c : name) quoted += c == '`' ? std::string("``") : std::string(1, c);
    auto checksum = server.query("CHECKSUM TABLE `" + schema + "`.`" + quoted + "` EXTENDED");
    out[name] = checksum.rows.at(0).at(1).value_or("NULL");
  }
  return out;
}

std::map<std::string, std::string> server_checksums(const MariaDbServer& server) {
  std::map<std::string, std::string> out;
  auto schemas = server.query(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ('mysql', "
      "'sys', 'information_schema', 'performance_schema')");
  for (const auto& row : schemas.rows) {
    for (const auto& [table, checksum] : table_checksums(server, *row[0])) {
      out[*row[0] + "." + table] = checksum;
    }
  }
  return out;
}

void load_with_client(const MariaDbServer& server, const std::filesystem::path& script) {
  core::SystemCommandRunner runner;
  auto result = core::run_checked(
      runner, {{"mariadb", "--no-defaults", "--socket", server.socket().string(), "-uroot"},
               {},
               read_file(script)});
  if (!result) throw std::runtime_error(result.error().message);
}

std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream left(a), right(b);
  std::string l, r;
  for (int line = 1;; ++line) {
    bool more_left = static_cast<bool>(std::getline(left, l));
    bool more_right = static_cast<bool>(std::getline(right, r));
    if (!more_left && !more_right) return "identical";
    if (!more_left || !more_right || l != r) {
      return "line " + std::to_string(line) + ":\n  source: " + l.substr(0, 400) +
             "\n  target: " + r.substr(0, 400);
    }
  }
}

}  // namespace dbkeep::test
