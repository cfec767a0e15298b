#include "dbkeep/restore/server_checks.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::restore {
namespace {

using source::mysql::logical::quote_identifier;

struct Table {
  std::string schema, name;
  [[nodiscard]] std::string label() const { return schema + "." + name; }
  [[nodiscard]] std::string quoted() const {
    return quote_identifier(schema) + "." + quote_identifier(name);
  }
};

Result<std::vector<Table>> base_tables(source::mysql::Connection& connection) {
  TRY_ASSIGN(auto result,
             connection.query("SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
                              "WHERE TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') AND "
                              "TABLE_SCHEMA NOT IN ('information_schema', 'performance_schema', "
                              "'sys') ORDER BY TABLE_SCHEMA, TABLE_NAME"));
  std::vector<Table> tables;
  for (const auto& row : result.rows) tables.push_back({row[0].value_or(""), row[1].value_or("")});
  return tables;
}

// CHECK TABLE's verdict: empty when fine, else the server's words.
Result<std::string> check_table(source::mysql::Connection& connection, const Table& table) {
  TRY_ASSIGN(auto result, connection.query("CHECK TABLE " + table.quoted()));
  std::string verdict;
  for (std::size_t row = 0; row < result.rows.size(); ++row) {
    const std::string type = result.value(row, "Msg_type").value_or("");
    const std::string text = result.value(row, "Msg_text").value_or("");
    const bool bad = type == "error" || (type == "status" && text != "OK");
    if (bad) verdict += (verdict.empty() ? "" : "; ") + text;
  }
  return verdict;
}

bool alive(source::mysql::Connection& connection) {
  return connection.execute("DO 1").has_value();
}

}  // namespace

Result<ServerCheckResult> check_server_tables(
    source::mysql::Connection& connection,
    const std::map<std::string, std::uint64_t>& expected_rows) {
  ServerCheckResult result;
  TRY_ASSIGN(auto tables, base_tables(connection));
  std::set<std::string> seen;
  for (const auto& table : tables) {
    TRY(core::check_cancellation());
    seen.insert(table.label());
    ++result.tables_checked;
    auto verdict = check_table(connection, table);
    if (!verdict) {
      result.problems.push_back("table " + table.label() +
                                ": CHECK TABLE failed: " + verdict.error().message);
      if (alive(connection)) continue;
      return result;  // the server went away; nothing more can be checked
    }
    if (!verdict->empty()) {
      result.problems.push_back("table " + table.label() + ": CHECK TABLE: " + *verdict);
    }
    auto count = connection.query_single_value("SELECT COUNT(*) FROM " + table.quoted());
    if (!count || !*count) {
      result.problems.push_back("table " + table.label() + ": cannot count its rows: " +
                                (count ? std::string("no result") : count.error().message));
      if (!count && !alive(connection)) return result;
      continue;
    }
    const std::uint64_t rows = std::stoull(**count);
    result.rows_checked += rows;
    auto expected = expected_rows.find(table.label());
    if (expected != expected_rows.end() && expected->second != rows) {
      result.problems.push_back("table " + table.label() + ": " + std::to_string(rows) +
                                " rows after restore, " + std::to_string(expected->second) +
                                " recorded at backup time");
    }
  }
  for (const auto& [table, rows] : expected_rows) {
    if (!seen.contains(table)) {
      result.problems.push_back("table " + table + ": missing after restore (" +
                                std::to_string(rows) + " rows recorded at backup time)");
    }
  }
  log::info("checked " + std::to_string(result.tables_checked) + " tables, " +
            std::to_string(result.rows_checked) + " rows, " +
            std::to_string(result.problems.size()) + " problems");
  return result;
}

std::vector<std::string> tables_named_in_log(const std::string& log_text) {
  static const std::regex file(R"(\./([^/\s'`]+)/([^/\s'`.]+)\.ibd)");
  static const std::regex quoted(R"(`([^`\s]+)`\.`([^`\s]+)`)");
  std::vector<std::string> tables;
  auto add = [&](const std::string& schema, const std::string& table) {
    std::string label = schema + "." + table;
    if (std::find(tables.begin(), tables.end(), label) == tables.end()) tables.push_back(label);
  };
  for (const auto* pattern : {&file, &quoted}) {
    for (std::sregex_iterator it(log_text.begin(), log_text.end(), *pattern), end; it != end;
         ++it) {
      add((*it)[1].str(), (*it)[2].str());
    }
  }
  return tables;
}

}  // namespace dbkeep::restore
