// quiesce() on a real MariaDB, the happy paths: writers block while the lock is held and go on
// once it is released, the hold time is measured, and the recorded position is the server's.

#include <gtest/gtest.h>

#include <iostream>

#include "dbkeep/source/mysql/quiesce.hpp"
#include "support/bank_writer.hpp"
#include "support/mariadb_test_suite.hpp"

namespace dbkeep::source::mysql {
namespace {

using std::chrono::milliseconds;

class MysqlQuiesceTest : public test::MariaDbTestSuite {
 protected:
  void SetUp() override {
    MariaDbTestSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server().execute("CREATE DATABASE IF NOT EXISTS q");
    server().execute("CREATE TABLE IF NOT EXISTS q.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)");
  }

  // Tries one INSERT from a fresh session that gives up waiting after 1 s.
  Result<void> try_insert() {
    TRY_ASSIGN(auto writer, server().connect_root());
    TRY(writer.execute("SET SESSION lock_wait_timeout = 1"));
    return writer.execute("INSERT INTO q.t (v) VALUES (1)");
  }

  static QuiesceOptions fast_options(LockMode mode = LockMode::kFlushTablesWithReadLock) {
    QuiesceOptions options;
    options.lock_mode = mode;
    options.long_query_threshold = std::chrono::seconds(0);
    options.retry_pause = milliseconds(100);
    return options;
  }
};

TEST_F(MysqlQuiesceTest, FtwrlBlocksWritersUntilReleased) {
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto lock = quiesce(*connection, fast_options());
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(lock->held());
  EXPECT_EQ(lock->attempts(), 1);

  auto blocked = try_insert();
  ASSERT_FALSE(blocked) << "an INSERT went through while FLUSH TABLES WITH READ LOCK was held";
  EXPECT_NE(blocked.error().message.find("Lock wait timeout"), std::string::npos)
      << blocked.error().message;

  ASSERT_TRUE(lock->release());
  EXPECT_FALSE(lock->held());
  EXPECT_GE(lock->held_ms(), 900) << "the blocked INSERT alone waited 1 s inside the lock";
  EXPECT_LT(lock->held_ms(), 5000);
  auto after = try_insert();
  EXPECT_TRUE(after) << after.error().message;
  EXPECT_TRUE(lock->release()) << "a second release is a no-op";
}

TEST_F(MysqlQuiesceTest, BackupStageBlocksCommitsUntilReleased) {
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto lock = quiesce(*connection, fast_options(LockMode::kBackupStage));
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_EQ(lock->mode(), LockMode::kBackupStage);
  EXPECT_FALSE(try_insert()) << "a commit went through under BACKUP STAGE BLOCK_COMMIT";
  auto position = lock->record_position();
  ASSERT_TRUE(position) << position.error().message;
  EXPECT_FALSE(position->binlog_file.empty());
  ASSERT_TRUE(lock->release());
  auto after = try_insert();
  EXPECT_TRUE(after) << after.error().message;
}

TEST_F(MysqlQuiesceTest, RecordedPositionMatchesServerStatus) {
  server().execute("INSERT INTO q.t (v) VALUES (7), (8)");
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto lock = quiesce(*connection, fast_options());
  ASSERT_TRUE(lock) << lock.error().message;
  auto position = lock->record_position();
  ASSERT_TRUE(position) << position.error().message;

  auto status = server().query("SHOW MASTER STATUS");
  ASSERT_EQ(status.rows.size(), 1u);
  EXPECT_EQ(position->binlog_file, status.value(0, "File"));
  EXPECT_EQ(std::to_string(position->binlog_position), status.value(0, "Position"));
  EXPECT_EQ(position->gtid_binlog_pos, server().query_value("SELECT @@gtid_binlog_pos"));
  EXPECT_NE(position->gtid_binlog_pos.find("0-1-"), std::string::npos) << position->gtid_binlog_pos;
  EXPECT_EQ(position->server_id, 1u);
  EXPECT_FALSE(position->replica.has_value());
  EXPECT_TRUE(position->gtid_executed.empty());
}

TEST_F(MysqlQuiesceTest, DestructorReleasesTheLock) {
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  {
    auto lock = quiesce(*connection, fast_options());
    ASSERT_TRUE(lock) << lock.error().message;
  }
  auto after = try_insert();
  EXPECT_TRUE(after) << after.error().message;
}

TEST_F(MysqlQuiesceTest, ClosedConnectionTakesTheLockWithIt) {
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto lock = quiesce(*connection, fast_options());
  ASSERT_TRUE(lock) << lock.error().message;
  connection->close();  // as if dbkeep died: the server ends the session and its lock
  auto after = try_insert();
  EXPECT_TRUE(after) << after.error().message;
  EXPECT_FALSE(lock->release()) << "release must report that UNLOCK could not run";
}

// Under a steady write load the lock is short: this is the figure the manifest will record.
TEST_F(MysqlQuiesceTest, HoldTimeUnderWriteLoadIsShort) {
  test::BankWriter bank(server().root_options());
  ASSERT_TRUE(bank.create_tables());
  ASSERT_TRUE(bank.start());
  std::this_thread::sleep_for(milliseconds(300));
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  std::vector<std::int64_t> held;
  for (int i = 0; i < 5; ++i) {
    auto lock = quiesce(*connection, fast_options());
    ASSERT_TRUE(lock) << lock.error().message;
    ASSERT_TRUE(lock->record_position());
    ASSERT_TRUE(lock->release());
    held.push_back(lock->held_time().count());
    EXPECT_LT(lock->held_ms(), 1000);
  }
  bank.stop();
  std::cerr << "[ lock     ] held µs under write load:";
  for (auto ms : held) std::cerr << " " << ms;
  std::cerr << "; " << bank.commits() << " transfers committed\n";
  EXPECT_GT(bank.commits(), 0u);
  auto total = bank.total(*connection);
  ASSERT_TRUE(total) << total.error().message;
  EXPECT_EQ(*total, bank.expected_total());
}

}  // namespace
}  // namespace dbkeep::source::mysql
