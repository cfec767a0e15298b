// The failure paths of quiesce() against a real MariaDB: a long-running writer holding up
// FLUSH TABLES WITH READ LOCK (fail / wait / kill / watchdog), and a lock holder that dies.
// After every failure the server must not be stalled: another session writes at once.
//
// Note: on MariaDB >= 10.4 a long SELECT does not hold up FTWRL; a long UPDATE does, so the
// blocker here is "UPDATE … SLEEP(n)".

#include <gtest/gtest.h>
#include <signal.h>

#include <limits>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/source/mysql/quiesce.hpp"
#include "support/blocking_query.hpp"
#include "support/mariadb_test_suite.hpp"

namespace dbkeep::source::mysql {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

class MysqlLongQueryTest : public test::MariaDbTestSuite {
 protected:
  void SetUp() override {
    MariaDbTestSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server().execute("CREATE DATABASE IF NOT EXISTS lq");
    server().execute("CREATE TABLE IF NOT EXISTS lq.slow (id INT PRIMARY KEY, v INT)");
    server().execute("CREATE TABLE IF NOT EXISTS lq.other (id INT AUTO_INCREMENT PRIMARY KEY)");
    server().execute("INSERT IGNORE INTO lq.slow VALUES (1, 0)");
  }

  std::unique_ptr<test::BlockingQuery> start_slow_update(int seconds_to_sleep) {
    auto blocker = test::BlockingQuery::start(
        server(), "UPDATE lq.slow SET v = v + SLEEP(" + std::to_string(seconds_to_sleep) + ")");
    if (!blocker) ADD_FAILURE() << blocker.error().message;
    return blocker ? std::move(*blocker) : nullptr;
  }

  // Milliseconds one INSERT into an unrelated table takes; fails the test if it cannot run.
  std::int64_t time_unrelated_insert() {
    auto started = Clock::now();
    auto writer = server().connect_root();
    // Never touch a failed connection: writer-> on an error is undefined behaviour.
    if (!writer) {
      ADD_FAILURE() << "cannot connect: " << writer.error().message;
      return std::numeric_limits<std::int64_t>::max();
    }
    EXPECT_TRUE(writer->execute("SET SESSION lock_wait_timeout = 2"));
    auto inserted = writer->execute("INSERT INTO lq.other VALUES ()");
    EXPECT_TRUE(inserted) << "server stalled: " << inserted.error().message;
    return std::chrono::duration_cast<milliseconds>(Clock::now() - started).count();
  }

  static void wait_until_running_for(seconds age) {
    std::this_thread::sleep_for(age + milliseconds(100));
  }
};

TEST_F(MysqlLongQueryTest, FailActionListsTheQueryBeforeLocking) {
  auto blocker = start_slow_update(20);
  ASSERT_TRUE(blocker);
  wait_until_running_for(seconds(1));
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  QuiesceOptions options;
  options.long_query_threshold = seconds(1);
  options.long_query_action = LongQueryAction::kFail;
  auto lock = quiesce(*connection, options);
  ASSERT_FALSE(lock);
  const auto& message = lock.error().message;
  EXPECT_NE(message.find("long-running queries"), std::string::npos) << message;
  EXPECT_NE(message.find("id " + std::to_string(blocker->thread_id()) + " (user root"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("UPDATE lq.slow SET v = v + SLEEP(20)"), std::string::npos) << message;
  EXPECT_LT(time_unrelated_insert(), 500);
}

TEST_F(MysqlLongQueryTest, WatchdogKillsStalledLockRetriesAndLeavesServerWritable) {
  auto blocker = start_slow_update(20);
  ASSERT_TRUE(blocker);
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  QuiesceOptions options;
  options.long_query_threshold = seconds(0);  // check off: go straight into the stalled lock
  options.lock_wait_timeout = seconds(30);    // so only the watchdog can end the wait
  options.watchdog = milliseconds(300);
  options.lock_attempts = 2;
  options.retry_pause = milliseconds(100);

  // A writer arriving while FTWRL waits queues behind it: the watchdog bounds that stall.
  std::int64_t stalled_writer_ms = -1;
  std::thread stalled_writer([&] {
    std::this_thread::sleep_for(milliseconds(100));
    stalled_writer_ms = time_unrelated_insert();
  });
  const auto started = Clock::now();
  auto lock = quiesce(*connection, options);
  const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  stalled_writer.join();
  std::cerr << "[ stall    ] writer queued behind the waiting FTWRL for " << stalled_writer_ms
            << " ms (watchdog 300 ms)\n";
  EXPECT_LT(stalled_writer_ms, 1000);
  ASSERT_FALSE(lock) << "FTWRL cannot succeed while the UPDATE runs";
  const auto& message = lock.error().message;
  EXPECT_NE(message.find("after 2 attempt(s)"), std::string::npos) << message;
  EXPECT_NE(message.find("killed by the watchdog"), std::string::npos) << message;
  EXPECT_NE(message.find("running now: id " + std::to_string(blocker->thread_id())),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("nothing is locked"), std::string::npos) << message;
  EXPECT_LT(elapsed.count(), 2500) << "two 300 ms waits and one 100 ms pause";
  EXPECT_LT(time_unrelated_insert(), 500);
  EXPECT_TRUE(connection->execute("SELECT 1")) << "our connection stays usable after the kill";
}

TEST_F(MysqlLongQueryTest, LockWaitTimeoutAloneAlsoGivesUp) {
  auto blocker = start_slow_update(20);
  ASSERT_TRUE(blocker);
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  QuiesceOptions options;
  options.long_query_threshold = seconds(0);
  options.lock_wait_timeout = seconds(1);
  options.watchdog = milliseconds(0);
  options.lock_attempts = 1;
  auto lock = quiesce(*connection, options);
  ASSERT_FALSE(lock);
  EXPECT_NE(lock.error().message.find("timed out after lock_wait_timeout = 1 s"), std::string::npos)
      << lock.error().message;
  EXPECT_LT(time_unrelated_insert(), 500);
}

TEST_F(MysqlLongQueryTest, KillActionKillsTheQueryAndLocks) {
  auto blocker = start_slow_update(20);
  ASSERT_TRUE(blocker);
  wait_until_running_for(seconds(1));
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  QuiesceOptions options;
  options.long_query_threshold = seconds(1);
  options.long_query_action = LongQueryAction::kKill;
  auto lock = quiesce(*connection, options);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(lock->held());
  auto killed = blocker->finish();
  ASSERT_FALSE(killed) << "the long UPDATE should have been killed";
  EXPECT_NE(killed.error().message.find("interrupted"), std::string::npos)
      << killed.error().message;
  EXPECT_TRUE(lock->release());
}

TEST_F(MysqlLongQueryTest, WaitActionWaitsForTheQueryToFinish) {
  auto blocker = start_slow_update(2);
  ASSERT_TRUE(blocker);
  wait_until_running_for(seconds(1));
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  QuiesceOptions options;
  options.long_query_threshold = seconds(1);
  options.long_query_action = LongQueryAction::kWait;
  options.long_query_max_wait = seconds(10);
  auto lock = quiesce(*connection, options);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(blocker->finish()) << "the UPDATE ran to completion";
}

// kill -9 of a process holding FTWRL: the server ends its session and the lock with it. The
// holder is the mariadb client, idle after FLUSH TABLES WITH READ LOCK, like a dbkeep that
// died between snapshot and UNLOCK.
TEST_F(MysqlLongQueryTest, LockDiesWithAKilledHolderProcess) {
  core::SpawnOptions spawn;
  spawn.argv = {"mariadb",
                "--no-defaults",
                "--socket=" + server().socket().string(),
                "--user=root",
                "--batch",
                "--unbuffered",
                "--skip-column-names"};
  spawn.pipe_stdin = true;
  spawn.pipe_stdout = true;
  auto holder = core::ChildProcess::spawn(spawn);
  ASSERT_TRUE(holder) << holder.error().message;
  const std::string script = "FLUSH TABLES WITH READ LOCK;\nSELECT 'locked';\n";
  ASSERT_EQ(::write(holder->stdin_fd().get(), script.data(), script.size()),
            static_cast<ssize_t>(script.size()));
  std::string output;
  char buffer[64];
  while (output.find("locked") == std::string::npos) {
    ssize_t n = ::read(holder->stdout_fd().get(), buffer, sizeof(buffer));
    ASSERT_GT(n, 0) << "mariadb client ended before taking the lock: " << output;
    output.append(buffer, static_cast<std::size_t>(n));
  }
  auto writer = server().connect_root();
  ASSERT_TRUE(writer && writer->execute("SET SESSION lock_wait_timeout = 1"));
  EXPECT_FALSE(writer->execute("INSERT INTO lq.other VALUES ()")) << "FTWRL should block this";

  ASSERT_EQ(::kill(holder->pid(), SIGKILL), 0);
  auto status = holder->wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGKILL);
  ASSERT_TRUE(writer->execute("SET SESSION lock_wait_timeout = 5"));
  auto started = Clock::now();
  auto inserted = writer->execute("INSERT INTO lq.other VALUES ()");
  EXPECT_TRUE(inserted) << inserted.error().message;
  EXPECT_LT(std::chrono::duration_cast<milliseconds>(Clock::now() - started).count(), 1000);
}

}  // namespace
}  // namespace dbkeep::source::mysql
