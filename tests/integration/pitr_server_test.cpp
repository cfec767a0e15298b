// Point-in-time recovery when the source server itself goes away, on a server of the test's
// own (the pair suite's source stays up for the other tests):
//   - a clean restart while `archive run` follows it: the archiver reconnects, the server's
//     new binlog file continues the archive without a gap, and `--to-latest` equals the
//     source table by table (nothing lost, nothing applied twice);
//   - SIGKILL of the server while the ledger writer commits: `--to-latest` brings back
//     every transaction committed more than segment_seconds (plus a margin for a loaded
//     machine) before the crash, whole transactions only (the books balance).

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/pitr_suite.hpp"

namespace dbkeep::test {
namespace {

using namespace std::chrono_literals;

class PitrServerTest : public PitrTest {
 protected:
  void SetUp() override {
    PitrTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto started = MariaDbServer::start();
    ASSERT_TRUE(started) << started.error().message;
    server_ = std::move(*started);
    std::ofstream(config_) << "[repository]\npath = \"" << (dir_.path() / "repo").string() << "\"\n"
                           << "state_dir = \"" << (dir_.path() / "state").string() << "\"\n"
                           << "[log]\nfile = \"" << (dir_.path() / "dbkeep.log").string() << "\"\n"
                           << "[[set]]\nname = \"" << kSet
                           << "\"\nsource = \"mysql\"\nmethod = \"logical\"\n"
                           << "compression = \"zstd\"\n[set.mysql]\nsocket = \""
                           << server_->socket().string()
                           << "\"\nuser = \"root\"\n[set.logical]\nworkers = 2\n"
                           << kArchive;
  }
  void TearDown() override {
    stop_archiver();
    server_.reset();
  }

  std::unique_ptr<MariaDbServer> server_;
};

TEST_F(PitrServerTest, ARestartedServerIsFollowedWithoutAGap) {
  server_->execute("CREATE DATABASE restart");
  server_->execute("CREATE TABLE restart.t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
  start_archiver();
  const auto base = backup();
  ASSERT_FALSE(base.empty());
  server_->execute("INSERT INTO restart.t SELECT seq, seq FROM restart.seq_1_to_1000");
  wait_until_archived();

  server_->shut_down();
  std::this_thread::sleep_for(2s);  // the archiver meets a server that is not there
  ASSERT_DONE(server_->start_again());
  server_->execute("INSERT INTO restart.t SELECT seq, seq FROM restart.seq_1001_to_2000");
  server_->execute("UPDATE restart.t SET v = v + 1 WHERE id % 3 = 0");
  wait_until_archived(120s);  // the reconnect backs off up to a few seconds
  stop_archiver();

  auto status = archive_status();
  EXPECT_EQ(status["exit_code"], 0) << status.dump(2);
  EXPECT_TRUE(status["sets"][0]["gaps"].empty()) << status.dump(2);

  empty_target();
  auto restored = restore_to_target({base, "--to-latest"});
  ASSERT_EQ(restored.exit_code, 0) << describe(restored);
  EXPECT_EQ(table_checksums(target(), "restart"), table_checksums(*server_, "restart"));
}

TEST_F(PitrServerTest, AKilledServerCostsAtMostTheLastSegmentSeconds) {
  LedgerWriter writer(server_->root_options(), "crash");
  ASSERT_DONE(writer.create_tables());
  start_archiver();
  const auto base = backup();
  ASSERT_FALSE(base.empty());
  ASSERT_DONE(writer.start());
  std::this_thread::sleep_for(2s);
  // segment_seconds is 1 (kArchive): a moment noted 4 s before the crash leaves the archiver
  // three segment periods to store it, even on a machine busy with other tests.
  const auto moment = writer.note_moment();
  std::this_thread::sleep_for(4s);
  server_->kill_hard();
  const auto committed = writer.committed();
  (void)writer.stop();  // it lost its server
  std::this_thread::sleep_for(2s);
  stop_archiver();

  empty_target();
  auto restored = restore_to_target({base, "--to-latest"});
  ASSERT_EQ(restored.exit_code, 0) << describe(restored);
  auto connection = target().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto rows = LedgerWriter::ledger_rows(*connection, "crash");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_GE(*rows, moment.rows) << "a transaction committed well before the crash was lost";
  // One more than the writer counted: its last COMMIT can reach the binlog (and the archive)
  // without its answer reaching the writer before the kill.
  EXPECT_LE(*rows, committed + 1);
  auto total = LedgerWriter::total(*connection, "crash");
  ASSERT_TRUE(total) << total.error().message;
  EXPECT_EQ(*total, LedgerWriter::expected_total()) << "half a transaction was applied";
  RecordProperty("committed_before_crash", std::to_string(committed));
  RecordProperty("restored", std::to_string(*rows));
}

}  // namespace
}  // namespace dbkeep::test
