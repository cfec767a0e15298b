#pragma once
// The "bank test" workload: two InnoDB tables of accounts holding a known total, and writer
// threads that move random amounts between them in transactions until stopped. Any consistent
// copy of the database (a backup taken meanwhile, then restored) must show the same total;
// a torn copy almost never does.

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::test {

struct BankOptions {
  std::string database = "bank";
  int accounts_per_table = 100;
  std::int64_t initial_balance = 1000;
  int writer_threads = 1;
};

class BankWriter {
 public:
  BankWriter(source::mysql::ConnectionOptions connection, BankOptions options = {});
  ~BankWriter();  // stops the writers
  BankWriter(const BankWriter&) = delete;
  BankWriter& operator=(const BankWriter&) = delete;

  // (Re)creates the database with tables accounts_a and accounts_b, all at initial_balance.
  Result<void> create_tables();
  // Starts the writer threads; each opens its own connection first (errors are returned).
  Result<void> start();
  // Asks the writers to stop after their current transaction and joins them.
  void stop();

  [[nodiscard]] std::int64_t expected_total() const;
  // Sum over both tables as `connection` sees it (its own consistent read).
  Result<std::int64_t> total(source::mysql::Connection& connection) const;
  static Result<std::int64_t> total(source::mysql::Connection& connection,
                                    const std::string& database);

  [[nodiscard]] std::uint64_t commits() const { return commits_.load(); }
  [[nodiscard]] std::uint64_t failures() const { return failures_.load(); }  // rolled back

 private:
  void run(source::mysql::Connection connection, unsigned seed);

  source::mysql::ConnectionOptions connection_options_;
  BankOptions options_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::vector<std::thread> threads_;
};

}  // namespace dbkeep::test
