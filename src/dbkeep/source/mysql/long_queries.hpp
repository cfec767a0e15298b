#pragma once
// Finds queries that have been running long enough to hold up FLUSH TABLES WITH READ LOCK.
// While FTWRL waits for such a query, every writer on the server queues behind it, so quiesce
// looks before it locks and waits, fails or kills according to the user's choice.
//
// The check is conservative: any statement running longer than the threshold counts, although
// on MariaDB >= 10.4 only writers (and DDL) actually block FTWRL; plain SELECTs do not.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::source::mysql {

struct RunningQuery {
  unsigned long id = 0;
  std::string user;
  std::uint64_t seconds = 0;
  std::string text;  // first 100 characters of the statement

  // "id 12 (user app, 35 s): UPDATE accounts SET …"
  [[nodiscard]] std::string describe() const;
};

// Statements running for at least `threshold`, longest first. Skips idle sessions, server and
// replication threads, and the sessions in `ignore` (our own). Needs the PROCESS privilege to
// see other users' queries.
Result<std::vector<RunningQuery>> find_running_queries(Connection& connection,
                                                       std::chrono::seconds threshold,
                                                       const std::vector<unsigned long>& ignore);

// "id 12 (…): …; id 14 (…): …" for error messages.
std::string describe_all(const std::vector<RunningQuery>& queries);

}  // namespace dbkeep::source::mysql
