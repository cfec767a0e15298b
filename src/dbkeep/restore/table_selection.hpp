#pragma once
// `restore --only 'db.t1,db.t2,db2.*'`: the tables and schemas a selective restore brings back,
// parsed once. An entry is `schema.table` (that base table, with its triggers) or `schema.*`
// (every table of the schema, and its views, routines and events). Names may be backquoted
// (`my.db`.`t`) when they hold a dot or a comma; no other wildcards: a restore names what it
// writes.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::restore {

struct TableName {
  std::string schema;
  std::string table;
  auto operator<=>(const TableName&) const = default;
  [[nodiscard]] std::string quoted() const;  // `schema`.`table`
};

class TableSelection {
 public:
  // A kUsage error for an empty list, an empty entry or one without `schema.`.
  static Result<TableSelection> parse(std::string_view list);

  [[nodiscard]] bool wants_schema(const std::string& schema) const;        // any entry names it
  [[nodiscard]] bool wants_whole_schema(const std::string& schema) const;  // `schema.*`
  [[nodiscard]] bool wants_table(const std::string& schema, const std::string& table) const;

  // Succeeds when every entry names something `tables` (the backup's base tables) holds;
  // otherwise a kUsage error listing the entries that match nothing and what the backup has,
  // raised before anything is written.
  [[nodiscard]] Result<void> check_against(const std::vector<TableName>& tables,
                                           const std::string& backup) const;

  // The selected tables of `tables`, in their order.
  [[nodiscard]] std::vector<TableName> select(const std::vector<TableName>& tables) const;

  [[nodiscard]] std::string text() const;  // as given, normalised: "db.t1,db2.*"

  [[nodiscard]] const std::set<std::string>& whole_schemas() const { return whole_schemas_; }
  [[nodiscard]] const std::set<TableName>& tables() const { return tables_; }

 private:
  std::set<std::string> whole_schemas_;
  std::set<TableName> tables_;
};

}  // namespace dbkeep::restore
