#pragma once
// The fixture of the point-in-time recovery tests (docs/pitr.md): a source and a target
// MariaDB server (MariaDbPairSuite), a logical set with [set.archive] in a temporary
// directory, the archiver as a child process (`archive run`), and the checks every test
// shares: the archive caught up, the ledger's rows and books, tables equal to the source's.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "support/ledger_writer.hpp"
#include "support/logical_compare.hpp"
#include "support/mariadb_pair_suite.hpp"
#include "support/physical_workspace.hpp"
#include "support/run_dbkeep.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::test {

// Asserts that a Result<void> succeeded, printing its error otherwise.
#define ASSERT_DONE(expression)                                                           \
  do {                                                                                    \
    auto dbkeep_result_ = (expression);                                                   \
    ASSERT_TRUE(dbkeep_result_) << #expression << ": " << dbkeep_result_.error().message; \
  } while (false)

inline constexpr const char* kSet = "main";
inline constexpr const char* kArchive = "[set.archive]\nenabled = true\nsegment_seconds = 1\n";

class PitrTest : public MariaDbPairSuite {
 protected:
  void SetUp() override {
    MariaDbPairSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    config_ = dir_.path() / "dbkeep.toml";
    write_logical_config(config_, dir_.path(), kSet, std::string("workers = 2\n") + kArchive);
  }
  void TearDown() override { stop_archiver(); }

  DbkeepRun dbkeep(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config_.string()});
    return run_dbkeep(args);
  }

  std::string backup() {
    auto run = dbkeep({"--json", "backup", "--set", kSet});
    EXPECT_EQ(run.exit_code, 0) << describe(run);
    if (run.exit_code != 0) return "";
    return json_of(run)["backups"][0]["id"].get<std::string>();
  }

  void start_archiver() {
    core::SpawnOptions spawn;
    spawn.argv = {DBKEEP_BINARY, "--config", config_.string(), "archive", "run", "--set", set_};
    auto child = core::ChildProcess::spawn(spawn);
    ASSERT_TRUE(child) << child.error().message;
    archiver_ = std::move(*child);
  }
  // SIGTERM: the archiver stores what it has and exits 0.
  void stop_archiver() {
    if (!archiver_) return;
    auto status = archiver_->terminate(std::chrono::seconds(30));
    EXPECT_TRUE(status.success()) << "archive run ended " << status.describe();
    archiver_.reset();
  }
  void kill_archiver() {
    ASSERT_TRUE(archiver_);
    ::kill(archiver_->pid(), SIGKILL);
    (void)archiver_->wait();
    archiver_.reset();
  }

  nlohmann::json archive_status() {
    auto run = dbkeep({"--json", "archive", "status", "--set", set_});
    auto document = json_of(run);
    document["exit_code"] = run.exit_code;
    return document;
  }
  // Waits until the archive holds everything the source has written (as `archive status`
  // sees both: the server adds its binlog checkpoint event a moment after a rotation).
  void wait_until_archived(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    nlohmann::json status;
    while (std::chrono::steady_clock::now() < deadline) {
      status = archive_status();
      const auto& set = status["sets"][0];
      if (set.contains("last_position") &&
          set.value("last_position", "") == set.value("server_position", "-")) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    FAIL() << "the archive did not catch up with the server: " << status.dump(2);
  }

  // Rotates the source's binlog and purges every file before the new one; a file InnoDB
  // still needs for crash recovery is purged once its checkpoint is written.
  static void purge_binary_logs() {
    source().execute("FLUSH BINARY LOGS");
    const auto current = *source().query("SHOW MASTER STATUS").value(0, "File");
    for (int attempt = 0; attempt < 50; ++attempt) {
      source().execute("PURGE BINARY LOGS TO '" + current + "'");
      if (source().query("SHOW BINARY LOGS").rows.size() == 1) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    FAIL() << "PURGE BINARY LOGS left older files behind";
  }

  // Drops every user schema on the target, so each restore starts from an empty server.
  static void empty_target() {
    auto schemas = target().query("SHOW DATABASES");
    for (const auto& row : schemas.rows) {
      const auto& name = *row[0];
      if (name == "mysql" || name == "information_schema" || name == "performance_schema" ||
          name == "sys") {
        continue;
      }
      target().execute("DROP DATABASE `" + name + "`");
    }
  }

  DbkeepRun restore_to_target(std::vector<std::string> extra) {
    std::vector<std::string> args{
        "--json", "restore", "--to-server", "--socket", target().socket().string(),
        "--user", "root"};
    args.insert(args.end(), extra.begin(), extra.end());
    return dbkeep(args);
  }

  // The target holds the ledger with exactly `rows` rows and balanced books.
  static void expect_ledger(const std::string& database, std::uint64_t rows,
                            const std::string& what) {
    auto connection = target().connect_root();
    ASSERT_TRUE(connection) << connection.error().message;
    auto count = LedgerWriter::ledger_rows(*connection, database);
    ASSERT_TRUE(count) << count.error().message;
    EXPECT_EQ(*count, rows) << what;
    auto total = LedgerWriter::total(*connection, database);
    ASSERT_TRUE(total) << total.error().message;
    EXPECT_EQ(*total, LedgerWriter::expected_total()) << what << ": the books do not balance";
  }

  static void expect_same_as_source(const std::string& database) {
    EXPECT_EQ(table_checksums(target(), database), table_checksums(source(), database));
  }

  // With the writer running after a base backup: notes a moment a little later (rows were
  // committed between the two notes, so the moment is past the base), lets the writer go on a
  // moment longer, stops it, waits until everything is archived and stops the archiver.
  NotedMoment note_moment_then_stop(LedgerWriter& writer) {
    const auto first = writer.note_moment();
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    const auto moment = writer.note_moment();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_TRUE(writer.stop());
    wait_until_archived();
    stop_archiver();
    EXPECT_GT(moment.rows, first.rows);
    return moment;
  }

  // Starts a server on a restored datadir and checks that its ledger holds exactly the rows
  // of `moment` and that the books balance.
  static void expect_restored_ledger(const std::filesystem::path& datadir,
                                     const std::filesystem::path& runtime_dir,
                                     const NotedMoment& moment) {
    auto server = RestoredMariaDb::start(datadir, runtime_dir);
    ASSERT_TRUE(server) << server.error().message;
    auto connection = (*server)->connect();
    ASSERT_TRUE(connection) << connection.error().message << (*server)->error_log_tail();
    auto rows = LedgerWriter::ledger_rows(*connection, "pitr");
    ASSERT_TRUE(rows) << rows.error().message;
    EXPECT_EQ(*rows, moment.rows) << "restored to " << moment.utc();
    auto total = LedgerWriter::total(*connection, "pitr");
    ASSERT_TRUE(total) << total.error().message;
    EXPECT_EQ(*total, LedgerWriter::expected_total()) << "the books do not balance";
  }

  core::TempDir dir_ = make_temp_dir();
  std::filesystem::path config_;
  std::string set_ = kSet;
  std::optional<core::ChildProcess> archiver_;
};

}  // namespace dbkeep::test
