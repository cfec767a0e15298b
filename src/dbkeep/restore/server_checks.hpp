#pragma once
// The checks a restore drill runs on a scratch MySQL/MariaDB server: CHECK TABLE on every base
// table (system schemas included, information_schema/performance_schema/sys excluded) and a
// row count per table, compared with the counts the manifest recorded where it recorded them.
// Every problem names its table ("table bank.accounts: CHECK TABLE: Corrupt").

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::restore {

struct ServerCheckResult {
  std::size_t tables_checked = 0;
  std::uint64_t rows_checked = 0;
  std::vector<std::string> problems;
};

// `expected_rows` maps "schema.table" to the rows recorded at backup time; a table named there
// but missing on the server is a problem too. Errors are for a server that cannot be queried
// at all (cancellation included); a table whose check or count fails is a problem.
Result<ServerCheckResult> check_server_tables(
    source::mysql::Connection& connection,
    const std::map<std::string, std::uint64_t>& expected_rows);

// "schema.table" for every InnoDB file (./schema/table.ibd) or quoted `schema`.`table` that a
// server error log mentions: a server that fails on damaged data usually names it only there.
std::vector<std::string> tables_named_in_log(const std::string& log_text);

}  // namespace dbkeep::restore
