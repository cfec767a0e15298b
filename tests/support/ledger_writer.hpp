#pragma once
// The point-in-time workload: accounts holding a known total, and one writer thread that moves
// amounts between them, each transfer recorded in a ledger row numbered 1, 2, 3, … in the same
// transaction. A restore to any moment must balance the books and hold exactly the ledger
// rows committed by then. note_moment() pauses the writer across a second boundary, so "the
// rows committed at or before second T" is one exact number.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::test {

struct NotedMoment {
  std::int64_t time = 0;   // Unix seconds: every commit before it is in a second < time,
                           // every later one in a second > time
  std::uint64_t rows = 0;  // ledger rows committed at or before `time`
  [[nodiscard]] std::string utc() const;  // "YYYY-MM-DD HH:MM:SS", as --to-time takes it
};

class LedgerWriter {
 public:
  static constexpr int kAccounts = 10;
  static constexpr std::int64_t kInitialBalance = 1000;

  LedgerWriter(source::mysql::ConnectionOptions connection, std::string database);
  ~LedgerWriter();  // stops the writer
  LedgerWriter(const LedgerWriter&) = delete;
  LedgerWriter& operator=(const LedgerWriter&) = delete;

  // (Re)creates the database with tables accounts and ledger.
  Result<void> create_tables();
  // Starts the writer thread (its connection is opened first; errors are returned).
  Result<void> start();
  // Stops after the current transaction and joins; the error that stopped it early, if any.
  Result<void> stop();

  // Pauses the writer, waits past a second boundary, notes the moment, waits past the next
  // one and resumes. Takes one to two seconds.
  NotedMoment note_moment();

  [[nodiscard]] std::uint64_t committed() const { return committed_.load(); }
  [[nodiscard]] static std::int64_t expected_total() { return kAccounts * kInitialBalance; }
  [[nodiscard]] const std::string& database() const { return database_; }

  // What `connection` sees: the ledger's row count and the accounts' total.
  static Result<std::uint64_t> ledger_rows(source::mysql::Connection& connection,
                                           const std::string& database);
  static Result<std::int64_t> total(source::mysql::Connection& connection,
                                    const std::string& database);

 private:
  void run(source::mysql::Connection connection);
  void set_paused(bool paused);

  source::mysql::ConnectionOptions connection_options_;
  std::string database_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::uint64_t> committed_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  bool pause_requested_ = false;  // guarded by mutex_
  bool paused_ = false;           // the writer is waiting, between transactions
  std::string failure_;           // why the writer stopped early
  std::thread thread_;
};

}  // namespace dbkeep::test
