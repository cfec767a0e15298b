// The snapshot method end to end on a real btrfs volume through the real dbkeep binary: a
// MariaDB server whose datadir is a btrfs subvolume, a bank writer moving money during the
// backup, a restore with --datadir --start, and the restored server checked (total intact,
// CHECK TABLE on every table). Also: with compression = "none" the backup is a plain datadir
// mirror a server starts on after a hand copy.

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/restore/restored_server.hpp"
#include "support/bank_writer.hpp"
#include "support/snapshot_workspace.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;

class SnapshotBackupBtrfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << "snapshot end-to-end test skipped: " << reason;
    }
    auto workspace = SnapshotWorkspace::create();
    ASSERT_TRUE(workspace) << workspace.error().message;
    workspace_ = std::move(*workspace);
  }

  std::unique_ptr<SnapshotWorkspace> workspace_;
};

TEST_F(SnapshotBackupBtrfsTest, BankTotalSurvivesBackupAndRestoreUnderLoad) {
  workspace_->write_config("compression = \"zstd\"\n");
  BankWriter bank(workspace_->server().root_options(), BankOptions{.writer_threads = 2});
  ASSERT_TRUE(bank.create_tables());
  ASSERT_TRUE(bank.start());
  for (int i = 0; i < 3000 && bank.commits() < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(bank.commits(), 50U) << "the bank writer does not commit";

  auto backup = workspace_->dbkeep_json({"backup"});
  const auto commits_during = bank.commits();
  bank.stop();
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  const std::string id = backup["backups"][0]["id"];
  std::cerr << "[ bank     ] " << commits_during
            << " transfers committed by the end of the backup\n";
  EXPECT_TRUE(fs::is_empty(workspace_->snapshot_dir())) << "the snapshot must be removed";

  auto manifest = workspace_->dbkeep_json({"show", id});
  const auto& facts = manifest["facts"];
  EXPECT_EQ(facts["layout"], "datadir");
  EXPECT_EQ(facts["snapshot"]["provider"], "btrfs");
  EXPECT_TRUE(facts["lock_held_ms"].is_number());
  EXPECT_FALSE(facts["binlog"]["file"].get<std::string>().empty()) << facts.dump();
  EXPECT_GT(facts["binlog"]["position"].get<std::uint64_t>(), 0U);
  EXPECT_FALSE(facts["binlog"]["gtid_binlog_pos"].get<std::string>().empty());
  EXPECT_EQ(facts["server"]["flavor"], "mariadb");
  std::cerr << "[ lock     ] held " << facts["lock"]["held_us"] << " us\n";

  // Paths are relative to the datadir, never the snapshot's location.
  std::set<std::string> paths;
  for (const auto& file : manifest["files"]) paths.insert(file["path"].get<std::string>());
  EXPECT_TRUE(paths.contains("ibdata1"));
  EXPECT_TRUE(paths.contains("bank/accounts_a.ibd"));
  for (const auto& path : paths) EXPECT_EQ(path.find("snapshots"), std::string::npos) << path;

  auto binlog = workspace_->dbkeep({"restore", id, "--datadir", "/nonexistent", "--binlog-info"});
  EXPECT_EQ(binlog.exit_code, 0) << binlog.stderr_text;
  EXPECT_NE(binlog.stdout_text.find(facts["binlog"]["file"].get<std::string>()), std::string::npos)
      << binlog.stdout_text;
  EXPECT_FALSE(fs::exists("/nonexistent")) << "--binlog-info restores nothing";

  const fs::path target = workspace_->dir() / "restored";
  auto restored = workspace_->dbkeep_json({"restore", id, "--datadir", target.string(), "--start"});
  ASSERT_TRUE(restored.contains("server")) << restored.dump();
  const pid_t pid = restored["server"]["pid"].get<pid_t>();
  expect_restored_bank_intact(restored["server"]["socket"].get<std::string>(),
                              bank.expected_total());
  EXPECT_TRUE(stop_detached_server(pid));
  fs::remove_all(fs::path(restored["server"]["socket"].get<std::string>()).parent_path());
}

TEST_F(SnapshotBackupBtrfsTest, RestoreRefusesANonEmptyDirectoryAndForceKeepsTheOldContent) {
  workspace_->write_config();
  auto backup = workspace_->dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U);
  const std::string id = backup["backups"][0]["id"];
  const fs::path target = workspace_->dir() / "occupied";
  fs::create_directories(target);
  std::ofstream(target / "precious") << "keep me\n";

  auto refused = workspace_->dbkeep({"restore", id, "--datadir", target.string()});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.stderr_text.find("not empty"), std::string::npos) << refused.stderr_text;
  EXPECT_TRUE(fs::exists(target / "precious"));

  auto forced = workspace_->dbkeep_json({"restore", id, "--datadir", target.string(), "--force"});
  ASSERT_TRUE(forced.contains("previous_kept_as")) << forced.dump();
  const fs::path aside = forced["previous_kept_as"].get<std::string>();
  EXPECT_TRUE(fs::exists(aside / "precious"));
  EXPECT_NE(aside.filename().string().find("occupied.before-restore-"), std::string::npos);
  EXPECT_TRUE(fs::exists(target / "ibdata1"));
  EXPECT_FALSE(fs::exists(target / "precious"));

  auto wrong_kind = workspace_->dbkeep({"restore", id, "--sqlite-path", "/tmp/x.db"});
  EXPECT_EQ(wrong_kind.exit_code, 2) << wrong_kind.stderr_text;
}

TEST_F(SnapshotBackupBtrfsTest, UncompressedBackupIsAPlainDatadirMirror) {
  workspace_->write_config("compression = \"none\"\n");
  workspace_->server().execute("CREATE DATABASE mirror");
  workspace_->server().execute("CREATE TABLE mirror.t (id INT PRIMARY KEY, v VARCHAR(20))");
  workspace_->server().execute("INSERT INTO mirror.t SELECT seq, 'row' FROM mirror.seq_1_to_1000");
  auto backup = workspace_->dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U);
  const std::string id = backup["backups"][0]["id"];

  const fs::path data = workspace_->repository() / "main" / id / "data";
  ASSERT_TRUE(fs::is_directory(data));
  EXPECT_TRUE(fs::is_regular_file(data / "ibdata1"));
  EXPECT_TRUE(fs::is_regular_file(data / "mirror" / "t.ibd"));
  EXPECT_TRUE(fs::is_regular_file(data / "mirror" / "t.frm"));
  for (const auto& entry : fs::recursive_directory_iterator(data)) {
    const auto extension = entry.path().extension().string();
    EXPECT_TRUE(extension != ".zst" && extension != ".gz") << entry.path();
  }
  // A table definition does not change after creation: the mirror holds the same bytes.
  auto read = [](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(read(data / "mirror" / "t.frm"),
            read(workspace_->volume().subvolume() / "mirror" / "t.frm"));

  // Copy it back by hand, as a user without dbkeep would, and start a server on it.
  const fs::path copy = workspace_->dir() / "by-hand";
  fs::copy(data, copy, fs::copy_options::recursive);
  core::SystemCommandRunner runner;
  ASSERT_TRUE(core::run_checked(runner, core::Command{{"chown", "-R", "mysql:", copy.string()}}));
  restore::RestoredServerOptions options;
  options.datadir = copy;
  options.log_bin = "mysql-bin";  // as the fixture's server ran
  auto server = restore::start_restored_server(options);
  ASSERT_TRUE(server) << server.error().message;
  source::mysql::ConnectionOptions connect;
  connect.socket = server->socket.string();
  connect.user = "root";
  auto connection = source::mysql::Connection::connect(connect);
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->query_single_value("SELECT COUNT(*) FROM mirror.t").value(), "1000");
  connection->close();
  EXPECT_TRUE(stop_detached_server(server->pid));
  fs::remove_all(server->runtime_dir);
}

}  // namespace
}  // namespace dbkeep::test
