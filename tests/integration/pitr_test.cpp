// Point-in-time recovery end to end (docs/pitr.md) on real MariaDB servers: `archive run`
// follows the source's binary log into the repository while the ledger workload writes, and
// `restore --to-time/--to-latest` brings a logical base (into the target server) or a physical
// base (into a datadir) to exactly the rows committed by then. Also: the DROP TABLE accident,
// kill -9 of the archiver and a killed dump thread (nothing lost, nothing applied twice), a
// purged binlog (a gap: status exit 3, restores across it refused, inside it fine), a corrupt
// segment, and --dry-run writing nothing.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "support/backup_tamper.hpp"
#include "support/ledger_writer.hpp"
#include "support/logical_compare.hpp"
#include "support/loopback_listener.hpp"
#include "support/mariadb_pair_suite.hpp"
#include "support/physical_workspace.hpp"
#include "support/pitr_suite.hpp"
#include "support/run_dbkeep.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Five noted moments and the latest state, each restored from the logical base taken while
// the writer ran: the ledger holds exactly the rows committed by then and the books balance.
TEST_F(PitrTest, LogicalBaseReachesEveryNotedMomentExactly) {
  LedgerWriter writer(source().root_options(), "pitr");
  ASSERT_DONE(writer.create_tables());
  start_archiver();
  ASSERT_DONE(writer.start());
  std::this_thread::sleep_for(1s);
  const auto base = backup();
  ASSERT_FALSE(base.empty());
  std::vector<NotedMoment> moments;
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(700ms);
    moments.push_back(writer.note_moment());
  }
  std::this_thread::sleep_for(500ms);
  ASSERT_DONE(writer.stop());
  wait_until_archived();
  stop_archiver();
  ASSERT_GT(moments.back().rows, moments.front().rows);

  // --dry-run plans and writes nothing.
  empty_target();
  auto planned = restore_to_target({"--set", kSet, "--to-time", moments[2].utc(), "--dry-run"});
  ASSERT_EQ(planned.exit_code, 0) << describe(planned);
  auto plan = json_of(planned);
  EXPECT_EQ(plan["plan"]["base"], base) << plan.dump(2);
  EXPECT_FALSE(target().query_value(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'pitr'"));

  for (const auto& moment : moments) {
    empty_target();
    auto restored = restore_to_target({"--set", kSet, "--to-time", moment.utc()});
    ASSERT_EQ(restored.exit_code, 0) << describe(restored);
    expect_ledger("pitr", moment.rows, "restored to " + moment.utc());
  }
  empty_target();
  auto latest = restore_to_target({base, "--to-latest"});
  ASSERT_EQ(latest.exit_code, 0) << describe(latest);
  expect_ledger("pitr", writer.committed(), "restored to the latest archived event");
  expect_same_as_source("pitr");

  // The drill does the same on a scratch server and records it; a full verify reads every
  // segment back.
  auto drill = dbkeep({"--json", "verify", "--restore-test", "--set", kSet, "--to-latest"});
  ASSERT_EQ(drill.exit_code, 0) << describe(drill);
  auto drilled = json_of(drill)["results"][0];
  EXPECT_EQ(drilled["id"], base);
  EXPECT_NE(drilled["restore_test"].value("rolled_forward", "").find("transactions"),
            std::string::npos)
      << drilled.dump(2);
  auto verified = dbkeep({"--json", "verify", "--set", kSet});
  ASSERT_EQ(verified.exit_code, 0) << describe(verified);
  auto archives = json_of(verified)["archives"];
  ASSERT_EQ(archives.size(), 1U) << archives.dump(2);
  EXPECT_GT(archives[0]["segments_checked"].get<int>(), 3);
}

// The classic accident: rows written, DROP TABLE at second D, more writes; a restore to D-1
// brings the table back with every row committed before D and none of the later writes.
TEST_F(PitrTest, DroppedTableIsBackAsItWasTheSecondBefore) {
  source().execute("CREATE DATABASE shop");
  source().execute("CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40)) ENGINE=InnoDB");
  source().execute("CREATE TABLE shop.audit (id INT PRIMARY KEY, note VARCHAR(40)) ENGINE=InnoDB");
  source().execute(
      "INSERT INTO shop.orders SELECT seq, CONCAT('item ', seq) FROM shop.seq_1_to_100");
  start_archiver();
  const auto base = backup();
  ASSERT_FALSE(base.empty());
  source().execute(
      "INSERT INTO shop.orders SELECT seq, CONCAT('item ', seq) FROM shop.seq_101_to_250");
  // The drop happens in a later second than every insert above.
  NotedMoment before_drop;
  {
    auto now = std::chrono::system_clock::now();
    auto next = std::chrono::ceil<std::chrono::seconds>(now + 1ms);
    std::this_thread::sleep_until(next + 50ms);
    before_drop.time =
        std::chrono::duration_cast<std::chrono::seconds>(next.time_since_epoch()).count() - 1;
  }
  source().execute("DROP TABLE shop.orders");
  source().execute("INSERT INTO shop.audit VALUES (1, 'written after the accident')");
  wait_until_archived();
  stop_archiver();

  empty_target();
  auto restored = restore_to_target({"--set", kSet, "--to-time", before_drop.utc()});
  ASSERT_EQ(restored.exit_code, 0) << describe(restored);
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM shop.orders"), "250");
  EXPECT_EQ(target().query_value("SELECT MAX(id) FROM shop.orders"), "250");
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM shop.audit"), "0");
}

// kill -9 of the archiver at random moments (20 times), its dump thread killed on the server
// and a binlog rotation while writes go on: the archive has no gap and --to-latest equals the
// source exactly (an event stored twice would fail the replay on the ledger's primary key).
TEST_F(PitrTest, KilledArchiverLosesNothingAndRepeatsNothing) {
  LedgerWriter writer(source().root_options(), "pitr");
  ASSERT_DONE(writer.create_tables());
  start_archiver();
  const auto base = backup();
  ASSERT_FALSE(base.empty());
  ASSERT_DONE(writer.start());
  std::mt19937 random(4242);
  std::uniform_int_distribution<int> pause_ms(100, 1200);
  for (int kill = 0; kill < 20; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    kill_archiver();
    if (kill == 7) source().execute("FLUSH BINARY LOGS");
    start_archiver();
  }
  // The server side drops the connection: the archiver reconnects and resumes.
  std::this_thread::sleep_for(1500ms);
  auto dumps = source().query(
      "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'");
  ASSERT_FALSE(dumps.rows.empty()) << "no dump thread to kill";
  for (const auto& row : dumps.rows) source().execute("KILL " + *row[0]);
  std::this_thread::sleep_for(2s);
  ASSERT_DONE(writer.stop());
  wait_until_archived(90s);
  stop_archiver();

  auto status = archive_status();
  EXPECT_EQ(status["exit_code"], 0) << status.dump(2);
  EXPECT_TRUE(status["sets"][0]["gaps"].empty()) << status.dump(2);
  empty_target();
  auto latest = restore_to_target({base, "--to-latest"});
  ASSERT_EQ(latest.exit_code, 0) << describe(latest);
  expect_ledger("pitr", writer.committed(), "after 20 kills of the archiver");
  expect_same_as_source("pitr");
}

// Binary logs purged before the archiver saw them: a gap. Status exits 3 and shows the windows
// on both sides; a restore across the gap is refused naming it; one inside a window works.
TEST_F(PitrTest, PurgedBinlogIsAGapRestoresDoNotCross) {
  // The gap must reach the operator: once by webhook, and in the metrics file.
  LoopbackListener webhook(LoopbackListener::Kind::kHttp);
  ASSERT_TRUE(webhook.started());
  const auto url_file = dir_.path() / "webhook.url";
  std::ofstream(url_file) << "http://127.0.0.1:" << webhook.port() << "/hook\n";
  fs::permissions(url_file, fs::perms::owner_read | fs::perms::owner_write);
  const auto metrics = dir_.path() / "dbkeep.prom";
  std::ofstream(config_, std::ios::app)
      << "[metrics]\nfile = \"" << metrics.string() << "\"\n[notify]\nwebhook_url_file = \""
      << url_file.string() << "\"\nwebhook_retries = 0\n";
  source().execute("CREATE DATABASE gap");
  source().execute("CREATE TABLE gap.t (id INT PRIMARY KEY) ENGINE=InnoDB");
  start_archiver();
  const auto base = backup();
  ASSERT_FALSE(base.empty());
  source().execute("INSERT INTO gap.t SELECT seq FROM gap.seq_1_to_10");
  const auto inside = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  wait_until_archived();
  stop_archiver();
  std::this_thread::sleep_for(1100ms);
  // Written and purged while nothing archives.
  source().execute("INSERT INTO gap.t SELECT seq FROM gap.seq_11_to_20");
  purge_binary_logs();
  start_archiver();
  source().execute("INSERT INTO gap.t SELECT seq FROM gap.seq_21_to_30");
  wait_until_archived();
  stop_archiver();

  auto status = archive_status();
  EXPECT_EQ(status["exit_code"], 3) << status.dump(2);
  ASSERT_EQ(status["sets"][0]["gaps"].size(), 1U) << status.dump(2);
  EXPECT_EQ(status["sets"][0]["windows"].size(), 2U) << status.dump(2);
  std::vector<nlohmann::json> gaps;
  for (const auto& received : webhook.received()) {
    auto body = nlohmann::json::parse(received["body"].get<std::string>());
    if (body["event"] == "archive_gap") gaps.push_back(body);
  }
  ASSERT_EQ(gaps.size(), 1U) << "a gap is announced once, however often status sees it";
  EXPECT_EQ(gaps[0]["set"], kSet);
  EXPECT_NE(gaps[0]["gap"].get<std::string>().find("archiving restarts at"), std::string::npos)
      << gaps[0].dump(2);
  auto text = read_file(metrics);
  EXPECT_NE(text.find("dbkeep_archive_gaps{set=\"main\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("dbkeep_archive_healthy{set=\"main\"} 0"), std::string::npos) << text;
  EXPECT_NE(text.find("dbkeep_archive_last_event_timestamp_seconds{set=\"main\"}"),
            std::string::npos)
      << text;
  auto overview = dbkeep({"status", "--set", kSet});
  EXPECT_TRUE(contains(overview.stdout_text, "1 GAP(S)")) << describe(overview);

  empty_target();
  auto across = restore_to_target({base, "--to-latest"});
  EXPECT_NE(across.exit_code, 0) << describe(across);
  EXPECT_NE(across.stderr_text.find("gap"), std::string::npos) << describe(across);
  EXPECT_FALSE(target().query_value(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'gap'"))
      << "a refused restore wrote to the server";

  NotedMoment moment{inside, 10};
  auto within = restore_to_target({base, "--to-time", moment.utc()});
  ASSERT_EQ(within.exit_code, 0) << describe(within);
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM gap.t"), "10");
}

// A segment whose bytes changed in the repository: the restore fails naming it and the server
// is left as it was before the roll-forward could start.
TEST_F(PitrTest, CorruptSegmentIsRefusedByRestore) {
  const auto metrics = dir_.path() / "dbkeep.prom";
  std::ofstream(config_, std::ios::app) << "[metrics]\nfile = \"" << metrics.string() << "\"\n";
  source().execute("CREATE DATABASE bad");
  source().execute("CREATE TABLE bad.t (id INT PRIMARY KEY, v VARCHAR(200)) ENGINE=InnoDB");
  start_archiver();
  const auto base = backup();
  ASSERT_FALSE(base.empty());
  source().execute("INSERT INTO bad.t SELECT seq, REPEAT('x', 200) FROM bad.seq_1_to_2000");
  wait_until_archived();
  stop_archiver();

  std::vector<fs::path> segments;
  for (const auto& entry : fs::recursive_directory_iterator(dir_.path() / "repo")) {
    const auto name = entry.path().filename().string();
    if (entry.is_regular_file() && name.find(".binlog") != std::string::npos &&
        !name.ends_with(".json")) {
      segments.push_back(entry.path());
    }
  }
  ASSERT_FALSE(segments.empty());
  std::ranges::sort(segments);
  const auto& last = segments.back();
  ASSERT_DONE(flip_bytes(last, fs::file_size(last) / 2, 4));
  const auto name = last.filename().string();
  const auto id = name.substr(0, name.find(".binlog"));

  auto verified = dbkeep({"--json", "verify", "--archive", "--set", kSet});
  EXPECT_EQ(verified.exit_code, 3) << describe(verified);
  EXPECT_NE(verified.stdout_text.find("archived segment " + id), std::string::npos)
      << describe(verified);
  // The metrics file shows it, and so does a status check, which does not read segments
  // itself: the window ends before the damaged segment.
  EXPECT_TRUE(contains(read_file(metrics), "dbkeep_archive_gaps{set=\"main\"} 1"))
      << read_file(metrics);
  auto status = archive_status();
  EXPECT_EQ(status["exit_code"], 3) << status.dump(2);
  EXPECT_TRUE(contains(status.dump(), "failed verification")) << status.dump(2);
  EXPECT_TRUE(contains(read_file(metrics), "dbkeep_archive_healthy{set=\"main\"} 0"))
      << read_file(metrics);

  empty_target();
  auto restored = restore_to_target({base, "--to-latest"});
  EXPECT_NE(restored.exit_code, 0) << describe(restored);
  EXPECT_NE(restored.stderr_text.find("archived segment " + id), std::string::npos)
      << describe(restored);
  EXPECT_FALSE(target().query_value(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'bad'"))
      << "the base was loaded although the roll-forward could not be read";
}

// A physical (mariabackup) base restored into a datadir and rolled forward to a noted moment;
// a server started on the datadir holds exactly the rows committed by then.
TEST_F(PitrTest, PhysicalBaseRollsForwardToANotedMoment) {
  PhysicalWorkspace workspace(source());
  source().execute(std::string("GRANT REPLICATION SLAVE ON *.* TO '") + kPhysicalUser +
                   "'@'localhost'");
  std::ofstream(workspace.config(), std::ios::app) << kArchive;
  LedgerWriter writer(source().root_options(), "pitr");
  ASSERT_DONE(writer.create_tables());
  config_ = workspace.config();
  set_ = "db";
  start_archiver();
  ASSERT_DONE(writer.start());
  auto backed_up = workspace.dbkeep_json({"backup", "--set", "db"});
  const auto base = backed_up["backups"][0]["id"].get<std::string>();
  const auto moment = note_moment_then_stop(writer);

  const auto datadir = workspace.dir() / "restored";
  auto restored = workspace.dbkeep_json(
      {"restore", "--set", "db", "--datadir", datadir.string(), "--to-time", moment.utc()});
  ASSERT_FALSE(restored.empty());
  expect_restored_ledger(datadir, workspace.dir() / "run", moment);
}

// Retention follows the chain: with one backup kept, prune deletes the segments older than
// its position (--dry-run first lists them and deletes nothing), keeps the rest, and the
// archive has no gap; the kept backup still rolls forward to the latest transaction.
TEST_F(PitrTest, PruneDeletesOnlySegmentsNoKeptBackupNeeds) {
  std::ofstream(config_, std::ios::app) << "[set.retention]\nkeep_last = 1\n"
                                        << "prune_after_backup = false\n";
  source().execute("CREATE DATABASE kept");
  source().execute("CREATE TABLE kept.t (id INT PRIMARY KEY) ENGINE=InnoDB");
  start_archiver();
  const auto first = backup();
  for (int i = 1; i <= 3; ++i) {
    source().execute("INSERT INTO kept.t VALUES (" + std::to_string(i) + ")");
    std::this_thread::sleep_for(1200ms);  // one segment each (segment_seconds = 1)
  }
  const auto second = backup();
  ASSERT_FALSE(first.empty() || second.empty());
  for (int i = 4; i <= 6; ++i) {
    source().execute("INSERT INTO kept.t VALUES (" + std::to_string(i) + ")");
    std::this_thread::sleep_for(1200ms);
  }
  wait_until_archived();
  stop_archiver();
  auto before = archive_status();
  const auto segments_before = before["sets"][0]["windows"][0]["segments"].get<int>();

  auto planned = dbkeep({"--json", "prune", "--set", kSet, "--dry-run"});
  ASSERT_EQ(planned.exit_code, 0) << describe(planned);
  const auto plan = json_of(planned)["sets"][0]["archive"];
  EXPECT_GT(plan["deleted"].get<int>(), 0) << plan.dump(2);
  EXPECT_GT(plan["kept"].get<int>(), 0) << plan.dump(2);
  for (const auto& segment : plan["segments"]) EXPECT_FALSE(segment["deleted"].get<bool>());
  EXPECT_EQ(archive_status()["sets"][0]["windows"][0]["segments"], segments_before)
      << "a dry run deleted segments";

  auto pruned = dbkeep({"--json", "prune", "--set", kSet});
  ASSERT_EQ(pruned.exit_code, 0) << describe(pruned);
  auto done = json_of(pruned)["sets"][0]["archive"];
  EXPECT_EQ(done["deleted"], plan["deleted"]) << done.dump(2);
  auto after = archive_status();
  EXPECT_EQ(after["exit_code"], 0) << after.dump(2);
  EXPECT_EQ(after["sets"][0]["windows"].size(), 1U) << after.dump(2);
  EXPECT_EQ(after["sets"][0]["windows"][0]["segments"].get<int>(),
            segments_before - plan["deleted"].get<int>());

  empty_target();
  auto latest = restore_to_target({"--set", kSet, "--to-latest"});
  ASSERT_EQ(latest.exit_code, 0) << describe(latest);
  EXPECT_EQ(json_of(latest)["id"], second);
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM kept.t"), "6");
}

// check-config names what archiving needs: the grant (with the GRANT statement), binary
// logging, server ids, and a note recommending ROW logging on a MIXED server.
TEST_F(PitrTest, CheckConfigNamesWhatArchivingNeeds) {
  source().create_user("archiver", "Arch-s3cret-9");
  const auto password = dir_.path() / "archiver.pw";
  std::ofstream(password) << "Arch-s3cret-9\n";
  fs::permissions(password, fs::perms::owner_read | fs::perms::owner_write);
  std::ofstream(config_) << "[repository]\npath = \"" << (dir_.path() / "repo").string()
                         << "\"\n[[set]]\nname = \"main\"\nsource = \"mysql\"\n"
                         << "method = \"logical\"\n[set.mysql]\nsocket = \""
                         << source().socket().string() << "\"\nuser = \"archiver\"\n"
                         << "password_file = \"" << password.string() << "\"\n"
                         << kArchive;
  auto refused = dbkeep({"--json", "check-config"});
  EXPECT_EQ(refused.exit_code, 2) << describe(refused);
  EXPECT_NE(refused.stdout_text.find("REPLICATION SLAVE"), std::string::npos) << describe(refused);
  EXPECT_NE(refused.stdout_text.find("GRANT"), std::string::npos) << describe(refused);
  EXPECT_EQ(refused.stdout_text.find("Arch-s3cret-9"), std::string::npos) << "the password leaked";

  source().execute("GRANT REPLICATION SLAVE ON *.* TO 'archiver'@'localhost'");
  auto checked = dbkeep({"--json", "check-config"});
  EXPECT_EQ(checked.exit_code, 0) << describe(checked);
  bool format_noted = false, log_bin_checked = false;
  const auto document = json_of(checked);
  for (const auto& check : document["checks"]) {
    const auto what = check["check"].get<std::string>();
    if (what.find("binlog_format MIXED") != std::string::npos) {
      format_noted = check.value("note", "").find("ROW") != std::string::npos;
    }
    if (what.find("log_bin") != std::string::npos) log_bin_checked = check["ok"].get<bool>();
  }
  EXPECT_TRUE(format_noted) << describe(checked);
  EXPECT_TRUE(log_bin_checked) << describe(checked);
}

// `daemon` archives beside its schedule: rows written while it runs are in the archive, and
// SIGTERM stops the archiver with the daemon (exit 0).
TEST_F(PitrTest, DaemonArchivesBesideTheSchedule) {
  std::ofstream(config_, std::ios::app) << "[set.schedule]\ncron = \"0 3 1 1 *\"\n";
  source().execute("CREATE DATABASE watched");
  source().execute("CREATE TABLE watched.t (id INT PRIMARY KEY) ENGINE=InnoDB");
  core::SpawnOptions spawn;
  spawn.argv = {DBKEEP_BINARY, "--config", config_.string(), "daemon"};
  auto child = core::ChildProcess::spawn(spawn);
  ASSERT_TRUE(child) << child.error().message;
  archiver_ = std::move(*child);
  source().execute("INSERT INTO watched.t SELECT seq FROM watched.seq_1_to_50");
  wait_until_archived();
  stop_archiver();  // SIGTERM; expects exit 0
  auto status = archive_status();
  EXPECT_EQ(status["exit_code"], 3) << "no base yet, so nothing is recoverable: " << status.dump(2);
  EXPECT_FALSE(status["sets"][0]["windows"].empty()) << status.dump(2);
}

}  // namespace
}  // namespace dbkeep::test
