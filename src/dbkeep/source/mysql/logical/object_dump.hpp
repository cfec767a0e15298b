#pragma once
// The SQL text of everything that is not row data: a table's CREATE statement, and per schema
// the routines, views, triggers and events, in the order a load must create them (after the
// data, so triggers do not fire on loaded rows). Views use placeholders, as mysqldump does: each
// view is first created as `SELECT 1 AS col, …`, then replaced by its real definition, so views
// that select from other views load in any order.
//
// Statements that contain semicolons are framed with `DELIMITER ;;` lines; the stock `mariadb`
// client and dbkeep's loader (jobs/sql_script.hpp) both understand that.

#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/logical/catalog.hpp"

namespace dbkeep::source::mysql::logical {

// SET lines and SHOW CREATE TABLE's statement (unqualified), AUTO_INCREMENT value included.
Result<std::string> table_definition(Connection& connection, const TableInfo& table);

// Routines, views, triggers and events of `schema` (views and triggers filtered by `filter`);
// an empty string when there are none.
Result<std::string> schema_objects(Connection& connection, const std::string& schema,
                                   const TableFilter& filter, bool strip_definers);

}  // namespace dbkeep::source::mysql::logical
