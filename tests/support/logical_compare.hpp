#pragma once
// How the logical round-trip tests decide that a schema came back exactly: mariadb-dump of the
// source and the target (data ordered by primary key, BLOBs as hex, routines, triggers and
// events) must be identical, and CHECKSUM TABLE … EXTENDED equal for every base table. Shared by
// the loader's test (mysql_logical_test) and the SQL script export's (mysql_to_sql_test).

#include <filesystem>
#include <map>
#include <string>

#include "support/mariadb_server.hpp"

namespace dbkeep::test {

// `mariadb-dump --databases schema` with everything that must round-trip; throws on failure.
std::string logical_dump_of(const MariaDbServer& server, const std::string& schema);

// CHECKSUM TABLE … EXTENDED of every base table of `schema`, by table name.
std::map<std::string, std::string> table_checksums(const MariaDbServer& server,
                                                   const std::string& schema);

// CHECKSUM TABLE … EXTENDED of every base table outside the system schemas, by
// "schema.table": what a selective restore must leave unchanged beside what it restores.
std::map<std::string, std::string> server_checksums(const MariaDbServer& server);

// Feeds `script` (a file) to the stock `mariadb` client as root; throws with its output on
// failure.
void load_with_client(const MariaDbServer& server, const std::filesystem::path& script);

// The first line where two dumps differ, for a readable failure (dumps are megabytes).
std::string first_difference(const std::string& a, const std::string& b);

}  // namespace dbkeep::test
