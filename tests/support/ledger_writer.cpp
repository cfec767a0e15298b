#include "support/ledger_writer.hpp"

#include <chrono>
#include <ctime>
#include <random>

namespace dbkeep::test {

using source::mysql::Connection;
using Clock = std::chrono::system_clock;

namespace {

// Sleeps until 50 ms after the next whole second of the system clock, which the server's
// binlog event timestamps also come from; returns that second.
std::int64_t sleep_past_next_second() {
  auto now = Clock::now();
  auto next = std::chrono::ceil<std::chrono::seconds>(now + std::chrono::milliseconds(1));
  std::this_thread::sleep_until(next + std::chrono::milliseconds(50));
  return std::chrono::duration_cast<std::chrono::seconds>(next.time_since_epoch()).count();
}

}  // namespace

std::string NotedMoment::utc() const {
  std::time_t seconds = time;
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &parts);
  return text;
}

LedgerWriter::LedgerWriter(source::mysql::ConnectionOptions connection, std::string database)
    : connection_options_(std::move(connection)), database_(std::move(database)) {}

LedgerWriter::~LedgerWriter() {
  (void)stop();
}

Result<void> LedgerWriter::create_tables() {
  TRY_ASSIGN(auto connection, Connection::connect(connection_options_));
  TRY(connection.execute("DROP DATABASE IF EXISTS `" + database_ + "`"));
  TRY(connection.execute("CREATE DATABASE `" + database_ + "`"));
  TRY(connection.execute("CREATE TABLE `" + database_ +
                         "`.accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB"));
  TRY(connection.execute("INSERT INTO `" + database_ + "`.accounts SELECT seq, " +
                         std::to_string(kInitialBalance) + " FROM `" + database_ + "`.seq_1_to_" +
                         std::to_string(kAccounts)));
  TRY(connection.execute("CREATE TABLE `" + database_ +
                         "`.ledger (id BIGINT PRIMARY KEY, from_id INT NOT NULL, to_id INT NOT "
                         "NULL, amount INT NOT NULL, at TIMESTAMP(6) NOT NULL) ENGINE=InnoDB"));
  return {};
}

Result<void> LedgerWriter::start() {
  TRY_ASSIGN(auto connection, Connection::connect(connection_options_));
  TRY(connection.execute("USE `" + database_ + "`"));
  TRY_ASSIGN(auto rows, ledger_rows(connection, database_));
  committed_ = rows;
  stop_requested_ = false;
  thread_ = std::thread(&LedgerWriter::run, this, std::move(connection));
  return {};
}

Result<void> LedgerWriter::stop() {
  stop_requested_ = true;
  set_paused(false);
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  if (!failure_.empty()) return std::unexpected(Error{ErrorKind::kFailed, failure_});
  return {};
}

void LedgerWriter::set_paused(bool paused) {
  std::unique_lock lock(mutex_);
  pause_requested_ = paused;
  changed_.notify_all();
  if (paused) {
    changed_.wait(lock, [&] { return paused_ || !thread_.joinable() || !failure_.empty(); });
  }
}

NotedMoment LedgerWriter::note_moment() {
  set_paused(true);
  NotedMoment moment;
  moment.time = sleep_past_next_second();
  moment.rows = committed_.load();
  sleep_past_next_second();
  set_paused(false);
  return moment;
}

void LedgerWriter::run(Connection connection) {
  std::mt19937 random(20261204);
  std::uniform_int_distribution<int> account(1, kAccounts);
  std::uniform_int_distribution<int> amount(1, 50);
  while (!stop_requested_) {
    {
      std::unique_lock lock(mutex_);
      if (pause_requested_) {
        paused_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return !pause_requested_ || stop_requested_; });
        paused_ = false;
        continue;
      }
    }
    int from = account(random), to = account(random);
    if (from == to) continue;
    const auto value = std::to_string(amount(random));
    const auto id = std::to_string(committed_.load() + 1);
    bool ok = connection.execute("START TRANSACTION") &&
              connection.execute("UPDATE accounts SET balance = balance - " + value +
                                 " WHERE id = " + std::to_string(from)) &&
              connection.execute("UPDATE accounts SET balance = balance + " + value +
                                 " WHERE id = " + std::to_string(to)) &&
              connection.execute("INSERT INTO ledger VALUES (" + id + ", " + std::to_string(from) +
                                 ", " + std::to_string(to) + ", " + value + ", NOW(6))");
    auto committed = ok ? connection.execute("COMMIT") : Result<void>{};
    if (!ok || !committed) {
      std::lock_guard lock(mutex_);
      failure_ = "ledger writer: transaction " + id + " failed";
      changed_.notify_all();
      return;
    }
    ++committed_;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a steady, modest binlog
  }
}

Result<std::uint64_t> LedgerWriter::ledger_rows(Connection& connection,
                                                const std::string& database) {
  TRY_ASSIGN(auto value,
             connection.query_single_value("SELECT COUNT(*) FROM `" + database + "`.ledger"));
  return value ? std::stoull(*value) : 0;
}

Result<std::int64_t> LedgerWriter::total(Connection& connection, const std::string& database) {
  TRY_ASSIGN(auto value,
             connection.query_single_value("SELECT SUM(balance) FROM `" + database + "`.accounts"));
  return value ? std::stoll(*value) : 0;
}

}  // namespace dbkeep::test
