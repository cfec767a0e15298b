#include "support/bank_writer.hpp"

#include <charconv>
#include <random>

namespace dbkeep::test {

using source::mysql::Connection;

BankWriter::BankWriter(source::mysql::ConnectionOptions connection, BankOptions options)
    : connection_options_(std::move(connection)), options_(std::move(options)) {}

BankWriter::~BankWriter() {
  stop();
}

std::int64_t BankWriter::expected_total() const {
  return 2 * static_cast<std::int64_t>(options_.accounts_per_table) * options_.initial_balance;
}

Result<void> BankWriter::create_tables() {
  TRY_ASSIGN(auto connection, Connection::connect(connection_options_));
  const std::string& db = options_.database;
  TRY(connection.execute("DROP DATABASE IF EXISTS `" + db + "`"));
  TRY(connection.execute("CREATE DATABASE `" + db + "`"));
  for (const char* table : {"accounts_a", "accounts_b"}) {
    const std::string name = "`" + db + "`." + table;
    TRY(connection.execute("CREATE TABLE " + name +
                           " (id INT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB"));
    // seq_1_to_N comes from MariaDB's Sequence engine, installed by default.
    TRY(connection.execute("INSERT INTO " + name + " SELECT seq, " +
                           std::to_string(options_.initial_balance) + " FROM `" + db +
                           "`.seq_1_to_" + std::to_string(options_.accounts_per_table)));
  }
  return {};
}

Result<void> BankWriter::start() {
  stop_requested_ = false;
  std::vector<Connection> connections;
  for (int i = 0; i < options_.writer_threads; ++i) {
    TRY_ASSIGN(auto connection, Connection::connect(connection_options_));
    TRY(connection.execute("USE `" + options_.database + "`"));
    connections.push_back(std::move(connection));
  }
  for (int i = 0; i < options_.writer_threads; ++i) {
    threads_.emplace_back(&BankWriter::run, this, std::move(connections[i]), 12345u + i);
  }
  return {};
}

void BankWriter::stop() {
  stop_requested_ = true;
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

void BankWriter::run(Connection connection, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> account(1, options_.accounts_per_table);
  std::uniform_int_distribution<int> amount(-50, 50);
  while (!stop_requested_) {
    const std::string value = std::to_string(amount(random));
    const bool ok = connection.execute("START TRANSACTION") &&
                    connection.execute("UPDATE accounts_a SET balance = balance - (" + value +
                                       ") WHERE id = " + std::to_string(account(random))) &&
                    connection.execute("UPDATE accounts_b SET balance = balance + (" + value +
                                       ") WHERE id = " + std::to_string(account(random))) &&
                    connection.execute("COMMIT");
    if (ok) {
      ++commits_;
    } else {
      ++failures_;
      (void)connection.execute("ROLLBACK");
      if (!connection.is_open()) return;
    }
  }
}

Result<std::int64_t> BankWriter::total(Connection& connection) const {
  return total(connection, options_.database);
}

Result<std::int64_t> BankWriter::total(Connection& connection, const std::string& database) {
  TRY_ASSIGN(auto value,
             connection.query_single_value("SELECT (SELECT SUM(balance) FROM `" + database +
                                           "`.accounts_a) + (SELECT SUM(balance) FROM `" +
                                           database + "`.accounts_b)"));
  if (!value) return fail("bank tables in " + database + " are empty or missing");
  std::int64_t sum = 0;
  std::from_chars(value->data(), value->data() + value->size(), sum);
  return sum;
}

}  // namespace dbkeep::test
