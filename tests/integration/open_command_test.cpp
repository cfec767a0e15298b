// `dbkeep open ID` through the real binary: a logical and a physical MariaDB backup come up
// read-only on a scratch server (a read works over the printed socket, a write is refused),
// an SQLite backup as a read-only copy; SIGINT closes it and leaves no server process, socket
// or scratch directory; SIGTERM while the backup is still being restored leaves nothing
// either; --to-time opens the state of that second (the archive applied); a scratch location
// with too little room is refused before anything is fetched.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "support/backup_tamper.hpp"
#include "support/cli_workspace.hpp"
#include "support/logical_workspace.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/physical_workspace.hpp"
#include "support/pitr_suite.hpp"
#include "support/run_command.hpp"
#include "support/snapshot_workspace.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"
#include "support/tmpfs_mount.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;

// `dbkeep --json open …` in the background; ready() reads its stdout up to the ready line.
class OpenedBackup {
 public:
  OpenedBackup(const fs::path& config, std::vector<std::string> args,
               std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {DBKEEP_BINARY, "--config", config.string(), "--json", "open"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child =
        core::ChildProcess::spawn({.argv = argv, .extra_env = std::move(env), .pipe_stdout = true});
    if (child) process_.emplace(std::move(*child));
  }

  // The ready line as JSON, or an empty object after `timeout` or when the process ends first.
  nlohmann::json ready(std::chrono::seconds timeout = std::chrono::seconds(300)) {
    if (!process_) return {};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string text;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd descriptor{process_->stdout_fd().get(), POLLIN, 0};
      if (::poll(&descriptor, 1, 200) <= 0) continue;
      char buffer[4096];
      const auto got = ::read(descriptor.fd, buffer, sizeof(buffer));
      if (got <= 0) break;
      text.append(buffer, static_cast<std::size_t>(got));
      if (auto end = text.find('\n'); end != std::string::npos) {
        return nlohmann::json::parse(text.substr(0, end), nullptr, false);
      }
    }
    ADD_FAILURE() << "dbkeep open never printed its ready line; stdout: " << text;
    return {};
  }

  // Sends `signal` and returns the exit status (nullopt if it does not end within a minute).
  std::optional<core::ExitStatus> close(int signal) {
    if (!process_) return std::nullopt;
    ::kill(process_->pid(), signal);
    for (int i = 0; i < 600; ++i) {
      if (auto status = process_->try_wait()) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return std::nullopt;
  }

  [[nodiscard]] bool started() const { return process_.has_value(); }

 private:
  std::optional<core::ChildProcess> process_;
};

// The id of the one backup `backup` takes (empty, with a failure, otherwise).
std::string backed_up_id(const CliWorkspace& workspace) {
  auto backup = workspace.dbkeep_json({"backup"});
  EXPECT_EQ(backup["backups"].size(), 1U) << backup.dump();
  return backup["backups"].size() == 1 ? backup["backups"][0]["id"].get<std::string>() : "";
}

void expect_closed_by(OpenedBackup& opened, int signal, bool success) {
  auto status = opened.close(signal);
  ASSERT_TRUE(status) << "dbkeep open did not end after signal " << signal;
  EXPECT_EQ(status->success(), success) << status->describe();
}

void expect_nothing_left(const fs::path& temp_dir, const std::string& socket = "") {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(temp_dir, ignored)) {
    EXPECT_FALSE(entry.path().filename().string().starts_with("dbkeep-open-"))
        << "scratch directory left: " << entry.path();
  }
  const auto processes = processes_mentioning((temp_dir / "dbkeep-open-").string());
  EXPECT_TRUE(processes.empty()) << "a scratch server is still running: " << processes[0];
  if (!socket.empty()) {
    EXPECT_FALSE(fs::exists(fs::symlink_status(socket))) << socket << " is left";
    EXPECT_FALSE(fs::exists(socket + ".lock")) << socket << ".lock is left";
    EXPECT_TRUE(processes_mentioning(socket).empty()) << "a server on " << socket << " runs";
  }
}

// Reads a table through the printed socket; a write must be refused.
void expect_read_only_server(const nlohmann::json& ready, const std::string& expected_count) {
  source::mysql::ConnectionOptions options;
  options.socket = ready.value("socket", std::string());
  options.user = "root";
  auto connection = source::mysql::Connection::connect(options);
  ASSERT_TRUE(connection) << connection.error().message;
  auto count = connection->query_single_value("SELECT COUNT(*) FROM opened.t");
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(count->value_or(""), expected_count);
  auto insert = connection->execute("INSERT INTO opened.t VALUES (999999, 'no')");
  EXPECT_FALSE(insert) << "a write was accepted";
  if (!insert) std::cerr << "[ refused  ] " << insert.error().message << "\n";
  EXPECT_FALSE(connection->execute("CREATE TABLE opened.u (id INT PRIMARY KEY)"))
      << "a CREATE TABLE was accepted";
  EXPECT_FALSE(connection->execute("UPDATE opened.t SET payload = 'no' WHERE id = 1"))
      << "an update was accepted";
  EXPECT_EQ(ready.value("command", std::string()), "mariadb --socket=" + options.socket);
}

void create_opened_table(const MariaDbServer& server) {
  server.execute("DROP DATABASE IF EXISTS opened");
  server.execute("CREATE DATABASE opened");
  server.execute("CREATE TABLE opened.t (id INT PRIMARY KEY, payload VARCHAR(100)) ENGINE=InnoDB");
  server.execute("INSERT INTO opened.t SELECT seq, REPEAT('x', 50) FROM opened.seq_1_to_5000");
  flush_and_checkpoint(server);
}

// Backs up `workspace`'s set, opens the backup (with `extra` flags) and checks the ready line
// and the server on it (private scratch directory in `temp_dir`, reads work, writes are
// refused), then closes it with SIGINT: no scratch directory, server or socket is left.
void open_look_and_close(const CliWorkspace& workspace, const fs::path& temp_dir,
                         const std::string& method, std::vector<std::string> extra = {}) {
  const std::string id = backed_up_id(workspace);
  ASSERT_FALSE(id.empty());
  extra.insert(extra.begin(), id);
  OpenedBackup opened(workspace.config(), extra);
  ASSERT_TRUE(opened.started());
  auto ready = opened.ready();
  ASSERT_TRUE(ready.contains("socket")) << ready.dump();
  EXPECT_EQ(ready["id"], id);
  EXPECT_EQ(ready["method"], method);
  EXPECT_GT(ready["pid"].get<int>(), 0);
  if (auto flag = std::find(extra.begin(), extra.end(), "--socket"); flag != extra.end()) {
    EXPECT_EQ(ready["socket"], *std::next(flag)) << "the chosen socket was not used";
  }
  const fs::path scratch = fs::path(ready["datadir"].get<std::string>()).parent_path();
  EXPECT_EQ(scratch.parent_path(), temp_dir);
  struct stat info {};
  ASSERT_EQ(::stat(scratch.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700U) << "the scratch directory is not private";
  expect_read_only_server(ready, "5000");
  expect_closed_by(opened, SIGINT, true);
  expect_nothing_left(temp_dir, ready["socket"].get<std::string>());
}

class OpenCommandTest : public MariaDbTestSuite {};

TEST_F(OpenCommandTest, LogicalBackupOpensReadOnlyAndCtrlCLeavesNothing) {
  LogicalWorkspace workspace(server(), "dbkeep-open-");
  create_opened_table(server());
  open_look_and_close(workspace, workspace.temp(), "logical");
}

TEST_F(OpenCommandTest, PhysicalBackupOpensOnAChosenSocketAndCtrlCRemovesIt) {
  PhysicalWorkspace workspace(server());
  create_opened_table(server());
  const fs::path sockets = workspace.dir() / "sockets";
  fs::create_directories(sockets);
  ::chmod(sockets.c_str(), 0777);  // the server (user mysql) creates its socket there
  const std::string socket = (sockets / "open.sock").string();
  open_look_and_close(workspace, workspace.dir() / "temp", "physical", {"--socket", socket});
  EXPECT_FALSE(fs::exists(fs::symlink_status(socket))) << socket << " is left";
}

TEST_F(OpenCommandTest, SigtermWhileTheBackupIsRestoredLeavesNothing) {
  PhysicalWorkspace workspace(server());
  create_opened_table(server());
  const std::string id = backed_up_id(workspace);
  ASSERT_FALSE(id.empty());

  const fs::path temp = workspace.dir() / "temp";
  OpenedBackup opened(workspace.config(), {id});
  ASSERT_TRUE(opened.started());
  // Wait until the restore has begun (the datadir exists in the scratch directory).
  ASSERT_TRUE(wait_for_scratch_entry(temp, "data")) << "the open never started restoring";
  expect_closed_by(opened, SIGTERM, false);  // cancelled before it was open
  expect_nothing_left(temp);
}

TEST(OpenSnapshotTest, SnapshotBackupOpensReadOnlyAfterCrashRecovery) {
  if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << "snapshot open test skipped: " << reason;
  }
  auto created = SnapshotWorkspace::create();
  ASSERT_TRUE(created) << created.error().message;
  auto& workspace = **created;
  workspace.write_config();
  create_opened_table(workspace.server());
  open_look_and_close(workspace, workspace.dir(), "snapshot");  // temp_dir is dir() here
}

class OpenPointInTimeTest : public PitrTest {};

TEST_F(OpenPointInTimeTest, ToTimeOpensTheStateOfThatSecond) {
  source().execute("DROP DATABASE IF EXISTS opened");
  source().execute("CREATE DATABASE opened");
  source().execute("CREATE TABLE opened.t (id INT PRIMARY KEY, payload VARCHAR(40)) ENGINE=InnoDB");
  source().execute("INSERT INTO opened.t SELECT seq, 'base' FROM opened.seq_1_to_100");
  start_archiver();
  const auto base = backup();
  ASSERT_FALSE(base.empty());
  source().execute("INSERT INTO opened.t SELECT seq, 'later' FROM opened.seq_101_to_250");
  // The drop happens in a later second than every insert above.
  NotedMoment before_drop;
  {
    auto next = std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                        std::chrono::milliseconds(1));
    std::this_thread::sleep_until(next + std::chrono::milliseconds(50));
    before_drop.time =
        std::chrono::duration_cast<std::chrono::seconds>(next.time_since_epoch()).count() - 1;
  }
  source().execute("DROP TABLE opened.t");
  wait_until_archived();
  stop_archiver();

  // Scratch space the server's account can reach (the fixture's directory is private).
  auto temp = core::TempDir::create(fs::temp_directory_path(), "dbkeep-open-pitr-");
  ASSERT_TRUE(temp) << temp.error().message;
  ::chmod(temp->path().c_str(), 0755);
  OpenedBackup opened(config_, {"--set", kSet, "--to-time", before_drop.utc()},
                      {{"DBKEEP_REPOSITORY_TEMP_DIR", temp->path().string()}});
  ASSERT_TRUE(opened.started());
  auto ready = opened.ready();
  ASSERT_TRUE(ready.contains("rolled_forward")) << ready.dump();
  EXPECT_EQ(ready["id"], base);
  expect_read_only_server(ready, "250");

  expect_closed_by(opened, SIGINT, true);
  expect_nothing_left(temp->path(), ready.value("socket", std::string()));
}

TEST(OpenSqliteTest, SqliteBackupOpensAsAReadOnlyCopyAndCtrlCRemovesIt) {
  SqliteWorkspace workspace;
  fs::create_directories(workspace.temp());
  workspace.fill(50, 100, false);
  const std::string id = backed_up_id(workspace);
  ASSERT_FALSE(id.empty());

  OpenedBackup opened(workspace.config(), {id});
  ASSERT_TRUE(opened.started());
  auto ready = opened.ready(std::chrono::seconds(60));
  ASSERT_TRUE(ready.contains("path")) << ready.dump();
  const std::string path = ready["path"];
  EXPECT_EQ(ready["command"], "sqlite3 -readonly " + path);
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read);
  auto count = run_command({"sqlite3", "-readonly", path, "SELECT COUNT(*) FROM t"});
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_TRUE(contains(count->stdout_text, "50")) << count->stdout_text;
  EXPECT_FALSE(run_command({"sqlite3", "-readonly", path, "DELETE FROM t"}))
      << "a write to the opened copy was accepted";

  expect_closed_by(opened, SIGINT, true);
  expect_nothing_left(workspace.temp());
}

TEST(OpenSqliteTest, TooLittleScratchSpaceIsRefusedNamingBothNumbers) {
  SqliteWorkspace workspace;
  workspace.fill(20, 1000, false);
  const std::string id = backed_up_id(workspace);
  ASSERT_FALSE(id.empty());
  // 8 MiB: less than the database plus the 16 MiB margin every estimate keeps free.
  TmpfsMount small(workspace.temp(), "8m");
  if (!small.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";

  auto refused = workspace.dbkeep({"open", id});
  EXPECT_EQ(refused.exit_code, 1) << refused.stdout_text << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, "not enough free space")) << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, " bytes (")) << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, "are free")) << refused.stderr_text;
  EXPECT_TRUE(fs::is_empty(workspace.temp())) << "something was fetched before the refusal";
}

}  // namespace
}  // namespace dbkeep::test
