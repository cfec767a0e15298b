#pragma once
// A statement kept running in the background on its own connection, e.g. a long UPDATE that
// holds up FLUSH TABLES WITH READ LOCK. The destructor kills it (if still running) and joins.

#include <optional>
#include <string>
#include <thread>

#include "dbkeep/core/error.hpp"
#include "support/mariadb_server.hpp"

namespace dbkeep::test {

class BlockingQuery {
 public:
  // Starts `sql` and returns once the server shows it running (or an error).
  static Result<std::unique_ptr<BlockingQuery>> start(const MariaDbServer& server,
                                                      const std::string& sql);
  ~BlockingQuery();
  BlockingQuery(const BlockingQuery&) = delete;
  BlockingQuery& operator=(const BlockingQuery&) = delete;

  [[nodiscard]] unsigned long thread_id() const { return thread_id_; }
  // Waits for the statement to end and returns its result (an error if it was killed).
  Result<void> finish();

 private:
  BlockingQuery(const MariaDbServer& server) : server_(server) {}
  const MariaDbServer& server_;
  unsigned long thread_id_ = 0;
  std::thread thread_;
  std::optional<Result<void>> result_;
};

}  // namespace dbkeep::test
