#include "dbkeep/source/mysql/logical/catalog.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <set>

#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::source::mysql::logical {
namespace {

bool is_system_schema(const std::string& schema) {
  return schema == "mysql" || schema == "sys" || schema == "information_schema" ||
         schema == "performance_schema";
}

bool matches(const std::string& pattern, const std::string& schema, const std::string* table) {
  auto dot = pattern.find('.');
  if (dot == std::string::npos) return ::fnmatch(pattern.c_str(), schema.c_str(), 0) == 0;
  if (::fnmatch(pattern.substr(0, dot).c_str(), schema.c_str(), 0) != 0) return false;
  // A schema.table pattern says nothing about whole schemas: it only selects tables.
  return table == nullptr || ::fnmatch(pattern.substr(dot + 1).c_str(), table->c_str(), 0) == 0;
}

bool is_integer_type(const std::string& data_type) {
  return data_type == "tinyint" || data_type == "smallint" || data_type == "mediumint" ||
         data_type == "int" || data_type == "bigint";
}

std::uint64_t to_u64(const std::optional<std::string>& text) {
  return text ? std::stoull(*text) : 0;
}

}  // namespace

bool TableFilter::wants_schema(const std::string& schema) const {
  if (is_system_schema(schema)) return false;
  if (!include.empty() && std::ranges::none_of(include, [&](const std::string& pattern) {
        return matches(pattern, schema, nullptr);
      }))
    return false;
  // Only plain schema patterns exclude a whole schema.
  return std::ranges::none_of(exclude, [&](const std::string& pattern) {
    return pattern.find('.') == std::string::npos && matches(pattern, schema, nullptr);
  });
}

bool TableFilter::wants_table(const std::string& schema, const std::string& table) const {
  if (!wants_schema(schema)) return false;
  if (!include.empty() && std::ranges::none_of(include, [&](const std::string& pattern) {
        return matches(pattern, schema, &table);
      }))
    return false;
  return std::ranges::none_of(
      exclude, [&](const std::string& pattern) { return matches(pattern, schema, &table); });
}

Result<Catalog> read_catalog(Connection& connection, const TableFilter& filter) {
  Catalog catalog;
  TRY_ASSIGN(auto schemata,
             connection.query("SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, "
                              "DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
                              "ORDER BY SCHEMA_NAME"));
  for (const auto& row : schemata.rows) {
    if (!row[0] || !filter.wants_schema(*row[0])) continue;
    catalog.schemas.push_back({*row[0], row[1].value_or(""), row[2].value_or("")});
  }

  TRY_ASSIGN(auto tables,
             connection.query("SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, DATA_LENGTH, TABLE_ROWS "
                              "FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "
                              "ORDER BY TABLE_SCHEMA, TABLE_NAME"));
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (const auto& row : tables.rows) {
    if (!row[0] || !row[1] || !filter.wants_table(*row[0], *row[1])) continue;
    TableInfo table;
    table.schema = *row[0];
    table.name = *row[1];
    table.engine = row[2].value_or("");
    table.transactional = table.engine == "InnoDB";
    table.data_bytes = to_u64(row[3]);
    table.estimated_rows = to_u64(row[4]);
    index[{table.schema, table.name}] = catalog.tables.size();
    catalog.tables.push_back(std::move(table));
  }

  // Stored columns in order; IS_GENERATED marks virtual and stored generated columns, whose
  // values the server computes again on load.
  TRY_ASSIGN(auto columns,
             connection.query("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, IS_GENERATED, "
                              "DATA_TYPE, COLUMN_KEY, IS_NULLABLE FROM information_schema.COLUMNS "
                              "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"));
  std::map<std::size_t, int> key_columns;  // table index -> primary key column count
  std::set<std::pair<std::size_t, std::string>> integer_not_null;  // (table index, column)
  for (const auto& row : columns.rows) {
    auto found = index.find({row[0].value_or(""), row[1].value_or("")});
    if (found == index.end()) continue;
    TableInfo& table = catalog.tables[found->second];
    if (row[3].value_or("NEVER") == "NEVER") {
      const std::string name = row[2].value_or("");
      const std::string quoted = quote_identifier(name);
      table.columns.push_back(name);
      table.select_list.push_back(
          row[4].value_or("") == "float" ? "CAST(" + quoted + " AS DOUBLE) AS " + quoted : quoted);
    }
    if (is_integer_type(row[4].value_or("")) && row[6].value_or("") == "NO") {
      integer_not_null.emplace(found->second, row[2].value_or(""));
    }
    if (row[5].value_or("") == "PRI") {
      ++key_columns[found->second];
      if (is_integer_type(row[4].value_or(""))) table.chunk_key = row[2].value_or("");
    }
  }
  // A composite primary key is not a usable single-column range key.
  for (auto& [table_index, count] : key_columns) {
    if (count != 1) catalog.tables[table_index].chunk_key.clear();
  }

  // Without one, a single-column UNIQUE key on a NOT NULL integer column serves: its ranges
  // cover every row exactly once, and (the loader keeps unique keys of tables without a primary
  // key in CREATE TABLE) a chunk loaded twice still meets a duplicate key on resume.
  TRY_ASSIGN(auto unique_keys,
             connection.query("SELECT TABLE_SCHEMA, TABLE_NAME, MAX(COLUMN_NAME) "
                              "FROM information_schema.STATISTICS WHERE NON_UNIQUE = 0 AND "
                              "INDEX_NAME <> 'PRIMARY' GROUP BY TABLE_SCHEMA, TABLE_NAME, "
                              "INDEX_NAME HAVING COUNT(*) = 1 "
                              "ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME"));
  for (const auto& row : unique_keys.rows) {
    auto found = index.find({row[0].value_or(""), row[1].value_or("")});
    if (found == index.end()) continue;
    TableInfo& table = catalog.tables[found->second];
    const std::string column = row[2].value_or("");
    if (table.chunk_key.empty() && integer_not_null.contains({found->second, column})) {
      table.chunk_key = column;
    }
  }
  return catalog;
}

}  // namespace dbkeep::source::mysql::logical
