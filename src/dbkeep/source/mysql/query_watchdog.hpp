#pragma once
// Runs a statement that may block (FLUSH TABLES WITH READ LOCK) and, from a second connection,
// kills it with KILL QUERY if it is still running after a limit. While FTWRL waits, every
// writer on the server waits behind it; the watchdog bounds that stall to the limit, whatever
// lock_wait_timeout says and whether or not the server honours it for this wait.

#include <chrono>
#include <string_view>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::source::mysql {

struct GuardedOutcome {
  Result<void> result;              // the statement's own result
  bool killed_by_watchdog = false;  // the limit passed and KILL QUERY was sent
  std::chrono::milliseconds elapsed{0};
};

class QueryWatchdog {
 public:
  // Opens the killer connection now, so arming it later costs nothing.
  static Result<QueryWatchdog> open(const Connection& watched);

  // The killer connection's thread id (quiesce ignores it in the processlist).
  [[nodiscard]] unsigned long thread_id() const { return killer_.thread_id(); }

  // Runs `sql` on `watched`; a `limit` of 0 means no watchdog. When the statement succeeds its
  // result wins even if a kill raced with its completion: the lock is then really held, and
  // a KILL QUERY that reaches an idle session does not affect its next statement (checked on
  // MariaDB 10.11).
  GuardedOutcome run(Connection& watched, std::string_view sql, std::chrono::milliseconds limit);

 private:
  explicit QueryWatchdog(Connection killer) : killer_(std::move(killer)) {}
  Connection killer_;
};

}  // namespace dbkeep::source::mysql
