#pragma once
// The SQL text of everything that is not row data: a table's CREATE statement, per schema the
// routines, views and events, and per table its triggers, in the order a load must create them
// (after the data, so triggers do not fire on loaded rows; triggers after the schema's objects,
// since a trigger may call a routine). Triggers are kept per table so that a selective restore
// (`--only db.t`) brings a table's triggers with it. Views use placeholders, as mysqldump does:
// each view is first created as `SELECT 1 AS col, …`, then replaced by its real definition, so
// views that select from other views load in any order.
//
// Statements that contain semicolons are framed with `DELIMITER ;;` lines; the stock `mariadb`
// client and dbkeep's loader (jobs/sql_script.hpp) both understand that.

#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/logical/catalog.hpp"

namespace dbkeep::source::mysql::logical {

// SET lines and SHOW CREATE TABLE's statement (unqualified), AUTO_INCREMENT value included.
Result<std::string> table_definition(Connection& connection, const TableInfo& table);

// Routines, views and events of `schema` (views filtered by `filter`); an empty string when
// there are none.
Result<std::string> schema_objects(Connection& connection, const std::string& schema,
                                   const TableFilter& filter, bool strip_definers);

// The "triggers" attribute of the objects file of a backup whose triggers are stored per table
// (kind "table-triggers"); objects files without it (older backups) hold the schema's triggers.
inline constexpr std::string_view kTriggersPerTable = "per-table";

struct TableTriggers {
  std::string table;
  std::string script;  // its triggers in ACTION_ORDER, with the SET lines they need
};

// The triggers of the tables of `schema` that `filter` wants, one script per table.
Result<std::vector<TableTriggers>> schema_triggers(Connection& connection,
                                                   const std::string& schema,
                                                   const TableFilter& filter, bool strip_definers);

}  // namespace dbkeep::source::mysql::logical
