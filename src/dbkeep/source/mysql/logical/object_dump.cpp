#include "dbkeep/source/mysql/logical/object_dump.hpp"

#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::source::mysql::logical {
namespace {

std::string qualified(const std::string& schema, const std::string& name) {
  return quote_identifier(schema) + "." + quote_identifier(name);
}

std::string literal(std::string_view text) {
  std::string out;
  append_string_literal(out, text);
  return out;
}

// "SET SESSION sql_mode=…" + the statement framed for the client's DELIMITER handling.
std::string framed(const std::string& sql_mode, const std::string& statement) {
  return "SET SESSION sql_mode=" + literal(sql_mode) + ";\nDELIMITER ;;\n" + statement +
         " ;;\nDELIMITER ;\n";
}

// The character set context the object was created in (SHOW CREATE … reports it, and the server
// keeps it with the object), set before creating it again; `restore` goes back to utf8mb4.
std::string creation_context(const QueryResult& shown) {
  auto client = shown.value(0, "character_set_client");
  auto collation = shown.value(0, "collation_connection");
  if (!client || !collation) return "";
  return "SET character_set_client = " + *client + ", collation_connection = " + *collation + ";\n";
}
constexpr const char* kRestoreNames = "SET NAMES utf8mb4;\n";
// What every objects and triggers script starts with.
constexpr const char* kObjectsHeader = "SET NAMES utf8mb4;\nSET TIME_ZONE='+00:00';\n";

std::string maybe_strip(const std::string& statement, bool strip_definers) {
  return strip_definers ? strip_definer(statement) : statement;
}

// SHOW CREATE <kind> for each name, framed with its own sql_mode.
Result<std::string> routines(Connection& connection, const std::string& schema,
                             bool strip_definers) {
  TRY_ASSIGN(auto list,
             connection.query("SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES "
                              "WHERE ROUTINE_SCHEMA = '" +
                              connection.escape_string(schema) + "' ORDER BY ROUTINE_NAME"));
  std::string out;
  for (const auto& row : list.rows) {
    const std::string type = row[1].value_or("PROCEDURE");
    TRY_ASSIGN(auto shown, connection.query("SHOW CREATE " + type + " " +
                                            qualified(schema, row[0].value_or(""))));
    auto statement = shown.value(0, type == "FUNCTION" ? "Create Function" : "Create Procedure");
    if (!statement) {
      return fail("cannot read the definition of " + type + " " + qualified(schema, *row[0]) +
                  ": the backup user needs SELECT on mysql.proc (or to be its definer)");
    }
    // As mysqldump does: loading again over an existing routine replaces it.
    out +=
        "DROP " + type + " IF EXISTS " + quote_identifier(*row[0]) + ";\n" +
        creation_context(shown) +
        framed(shown.value(0, "sql_mode").value_or(""), maybe_strip(*statement, strip_definers)) +
        kRestoreNames;
  }
  return out;
}

Result<std::string> views(Connection& connection, const std::string& schema,
                          const TableFilter& filter, bool strip_definers) {
  TRY_ASSIGN(auto list,
             connection.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA "
                              "= '" +
                              connection.escape_string(schema) +
                              "' AND TABLE_TYPE = 'VIEW' ORDER BY TABLE_NAME"));
  std::string placeholders, definitions;
  for (const auto& row : list.rows) {
    const std::string name = row[0].value_or("");
    if (!filter.wants_table(schema, name)) continue;
    TRY_ASSIGN(auto columns,
               connection.query("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE "
                                "TABLE_SCHEMA = '" +
                                connection.escape_string(schema) + "' AND TABLE_NAME = '" +
                                connection.escape_string(name) + "' ORDER BY ORDINAL_POSITION"));
    std::string select;
    for (const auto& column : columns.rows) {
      select += (select.empty() ? "1 AS " : ", 1 AS ") + quote_identifier(column[0].value_or(""));
    }
    placeholders += "CREATE OR REPLACE VIEW " + quote_identifier(name) + " AS SELECT " +
                    (select.empty() ? "1" : select) + ";\n";
    TRY_ASSIGN(auto shown, connection.query("SHOW CREATE VIEW " + qualified(schema, name)));
    auto statement = shown.value(0, "Create View").value_or("");
    if (statement.starts_with("CREATE ")) statement.insert(7, "OR REPLACE ");
    definitions +=
        creation_context(shown) + maybe_strip(statement, strip_definers) + ";\n" + kRestoreNames;
  }
  if (definitions.empty()) return std::string();
  return placeholders + definitions;
}

Result<std::string> events(Connection& connection, const std::string& schema, bool strip_definers) {
  TRY_ASSIGN(auto list,
             connection.query("SELECT EVENT_NAME FROM information_schema.EVENTS WHERE "
                              "EVENT_SCHEMA = '" +
                              connection.escape_string(schema) + "' ORDER BY EVENT_NAME"));
  std::string out;
  for (const auto& row : list.rows) {
    TRY_ASSIGN(auto shown,
               connection.query("SHOW CREATE EVENT " + qualified(schema, row[0].value_or(""))));
    std::string time_zone = shown.value(0, "time_zone").value_or("SYSTEM");
    out += "DROP EVENT IF EXISTS " + quote_identifier(row[0].value_or("")) + ";\n" +
           "SET TIME_ZONE=" + literal(time_zone) + ";\n" + creation_context(shown) +
           framed(shown.value(0, "sql_mode").value_or(""),
                  maybe_strip(shown.value(0, "Create Event").value_or(""), strip_definers)) +
           "SET TIME_ZONE='+00:00';\n" + kRestoreNames;
  }
  return out;
}

}  // namespace

Result<std::string> table_definition(Connection& connection, const TableInfo& table) {
  TRY_ASSIGN(auto shown,
             connection.query("SHOW CREATE TABLE " + qualified(table.schema, table.name)));
  auto statement = shown.value(0, "Create Table");
  if (!statement) {
    return fail("SHOW CREATE TABLE " + qualified(table.schema, table.name) + " returned nothing");
  }
  return "SET NAMES utf8mb4;\nSET SESSION sql_mode='NO_AUTO_VALUE_ON_ZERO';\n"
         "SET FOREIGN_KEY_CHECKS=0;\n" +
         *statement + ";\n";
}

Result<std::string> schema_objects(Connection& connection, const std::string& schema,
                                   const TableFilter& filter, bool strip_definers) {
  TRY_ASSIGN(auto routine_text, routines(connection, schema, strip_definers));
  TRY_ASSIGN(auto view_text, views(connection, schema, filter, strip_definers));
  TRY_ASSIGN(auto event_text, events(connection, schema, strip_definers));
  std::string body = routine_text + view_text + event_text;
  if (body.empty()) return body;
  return kObjectsHeader + body;
}

Result<std::vector<TableTriggers>> schema_triggers(Connection& connection,
                                                   const std::string& schema,
                                                   const TableFilter& filter, bool strip_definers) {
  TRY_ASSIGN(auto list, connection.query("SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM "
                                         "information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '" +
                                         connection.escape_string(schema) +
                                         "' ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER"));
  std::vector<TableTriggers> out;
  for (const auto& row : list.rows) {
    const std::string table = row[1].value_or("");
    if (!filter.wants_table(schema, table)) continue;
    TRY_ASSIGN(auto shown,
               connection.query("SHOW CREATE TRIGGER " + qualified(schema, row[0].value_or(""))));
    if (out.empty() || out.back().table != table) out.push_back({table, kObjectsHeader});
    out.back().script +=
        "DROP TRIGGER IF EXISTS " + quote_identifier(row[0].value_or("")) + ";\n" +
        creation_context(shown) +
        framed(shown.value(0, "sql_mode").value_or(""),
               maybe_strip(shown.value(0, "SQL Original Statement").value_or(""), strip_definers)) +
        kRestoreNames;
  }
  return out;
}

}  // namespace dbkeep::source::mysql::logical
