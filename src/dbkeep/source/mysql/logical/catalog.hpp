#pragma once
// What a logical dump covers: the schemas and tables that pass the include/exclude patterns,
// with what chunk planning and the INSERT statements need (engine, size, columns, key).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::source::mysql::logical {

struct TableFilter {
  // Patterns "schema" or "schema.table" with shell wildcards (* ? [..]); an empty include list
  // means every schema. System schemas (mysql, sys, information_schema, performance_schema)
  // are never dumped.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  [[nodiscard]] bool wants_schema(const std::string& schema) const;
  [[nodiscard]] bool wants_table(const std::string& schema, const std::string& table) const;
};

struct TableInfo {
  std::string schema;
  std::string name;
  std::string engine;
  bool transactional = true;  // InnoDB: read inside the consistent snapshot
  std::uint64_t data_bytes = 0;
  std::uint64_t estimated_rows = 0;
  std::vector<std::string> columns;  // stored columns in order (generated columns left out)
  // What to SELECT for each of `columns`: the quoted name, or for FLOAT `CAST(c AS DOUBLE) AS
  // c`, because the server prints FLOAT with 6 digits (lossy) but the exact double of a float
  // rounds back to the same float on load.
  std::vector<std::string> select_list;
  // A single integer column that is the primary key or a NOT NULL unique key, for PK-range
  // chunks; empty when the table has none (it is then dumped as one stream).
  std::string chunk_key;
};

struct SchemaInfo {
  std::string name;
  std::string charset;
  std::string collation;
};

struct Catalog {
  std::vector<SchemaInfo> schemas;
  std::vector<TableInfo> tables;  // base tables only; views are dumped with the other objects
};

Result<Catalog> read_catalog(Connection& connection, const TableFilter& filter);

}  // namespace dbkeep::source::mysql::logical
