// Physical method (mariabackup) end to end through the dbkeep binary against a real MariaDB:
// a hot backup under the money-transfer load restores into a datadir a server starts on with
// the bank total intact (restore --start); the tool never sees the password in its argv; a failing,
// killed or missing tool leaves no listed backup and says why.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "support/bank_writer.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/physical_workspace.hpp"
#include "support/snapshot_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

class PhysicalBackupTest : public MariaDbTestSuite {};

TEST_F(PhysicalBackupTest, HotBackupUnderBankLoadRestoresToAServerWithTheTotalIntact) {
  PhysicalWorkspace workspace(server());
  // Records the argv the tool gets, and the mode of the defaults file it is pointed at.
  auto argv_record = workspace.dir() / "tool-argv";
  workspace.wrap_tool(
      "echo \"$@\" >> " + argv_record.string() +
      "\ncase \"$1\" in --defaults-file=*) stat -c %a \"${1#--defaults-file=}\" > " +
      (workspace.dir() / "defaults-mode").string() + ";; esac\nexec /usr/bin/mariabackup \"$@\"");

  BankWriter bank(server().root_options(), BankOptions{.accounts_per_table = 200});
  ASSERT_TRUE(bank.create_tables());
  ASSERT_TRUE(bank.start());
  auto backup = workspace.dbkeep_json({"backup"});
  bank.stop();
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  EXPECT_GT(bank.commits(), 0U);
  std::string id = backup["backups"][0]["id"];

  auto manifest = workspace.dbkeep_json({"show", id});
  const auto& facts = manifest["facts"];
  EXPECT_EQ(facts["tool"], "mariabackup");
  EXPECT_EQ(facts["backup_type"], "full");
  EXPECT_EQ(facts["from_lsn"], 0);
  EXPECT_GT(facts["to_lsn"].get<std::uint64_t>(), 0U);
  // The position every MySQL method records the same way (repo/binlog_position.hpp).
  EXPECT_FALSE(facts["binlog"]["file"].get<std::string>().empty()) << facts.dump();
  EXPECT_GT(facts["binlog"]["position"].get<std::uint64_t>(), 0U) << facts.dump();
  EXPECT_TRUE(contains(facts["server_version"].get<std::string>(), "MariaDB"));
  EXPECT_EQ(manifest["files"][0]["path"], "backup.xbstream");
  // show --tables: the server's tables as the backup recorded them (the names --only takes).
  auto tables = workspace.dbkeep_json({"show", id, "--tables"});
  ASSERT_FALSE(tables["tables"].empty()) << tables.dump(2);
  for (const auto& table : tables["tables"]) {
    EXPECT_NE(table["schema"], "mysql") << table.dump();
    EXPECT_EQ(table["engine"], "InnoDB") << table.dump();
    EXPECT_TRUE(table["rows"].is_number()) << table.dump();
    EXPECT_GT(table["bytes"].get<std::uint64_t>(), 0U) << table.dump();
  }

  // The password reached the tool through the 0600 defaults file only.
  std::string argv = read_file(argv_record);
  EXPECT_TRUE(contains(argv, "--backup")) << argv;
  EXPECT_FALSE(contains(argv, kPhysicalPassword)) << argv;
  EXPECT_EQ(read_file(workspace.dir() / "defaults-mode"), "600\n");
  EXPECT_FALSE(contains(workspace.log_text(), kPhysicalPassword));

  // restore --start: prepared, handed to mysql, a server started on it that answers.
  auto datadir = workspace.dir() / "restored";
  auto restore = workspace.dbkeep_json({"restore", id, "--datadir", datadir.string(), "--start"});
  EXPECT_EQ(restore["chain"].size(), 1U);
  ASSERT_TRUE(restore.contains("server")) << restore.dump();
  const pid_t pid = restore["server"]["pid"].get<pid_t>();
  const std::filesystem::path socket = restore["server"]["socket"].get<std::string>();
  expect_restored_bank_intact(socket, bank.expected_total());
  EXPECT_TRUE(stop_detached_server(pid));
  std::filesystem::remove_all(socket.parent_path());
}

TEST_F(PhysicalBackupTest, FailingToolFailsTheBackupWithItsLastLinesAndLeavesNoBackup) {
  PhysicalWorkspace workspace(server());
  workspace.wrap_tool(
      "i=1; while [ $i -le 30 ]; do echo \"tool line $i\" >&2; i=$((i+1)); done\n"
      "echo partial-stream-bytes\nexit 3");
  auto run = workspace.dbkeep({"backup"});
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "mariabackup failed (exit code 3)")) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "tool line 30")) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "tool line 11")) << run.stderr_text;
  EXPECT_FALSE(contains(run.stderr_text, "tool line 10\n")) << "only the last 20 lines";
  EXPECT_TRUE(workspace.listed_ids().empty());
}

TEST_F(PhysicalBackupTest, ToolKilledMidStreamLeavesNoListedBackup) {
  PhysicalWorkspace workspace(server());
  // The real tool streams; after 256 KiB the wrapper kills itself, as an OOM kill would.
  workspace.wrap_tool("/usr/bin/mariabackup \"$@\" | head -c 262144\nkill -9 $$");
  auto run = workspace.dbkeep({"backup"});
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "killed by signal")) << run.stderr_text;
  EXPECT_TRUE(workspace.listed_ids().empty());
  // Nothing of the stream stays in the repository either.
  std::size_t objects = 0;
  std::error_code error;
  for (std::filesystem::recursive_directory_iterator it(workspace.dir() / "repo" / "db", error),
       end;
       !error && it != end; it.increment(error)) {
    if (it->is_regular_file()) ++objects;
  }
  EXPECT_EQ(objects, 0U);
}

// [set.restore] owner = "uid:gid" — what the official MySQL/MariaDB images use (999:999),
// often without an account on the host that holds the volume: the files are restored to those
// numbers; --start, which needs an account for mariadbd --user, is refused before any work.
TEST_F(PhysicalBackupTest, NumericOwnerWithoutAnAccountOwnsTheRestoredFiles) {
  PhysicalWorkspace workspace(server(), "[set.restore]\nowner = \"64999:64998\"\n");
  auto backup = workspace.dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  const std::string id = backup["backups"][0]["id"];

  const auto started = workspace.dir() / "started";
  auto refused = workspace.dbkeep({"restore", id, "--datadir", started.string(), "--start"});
  EXPECT_EQ(refused.exit_code, 2) << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, "uid 64999 has no account")) << refused.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(started));

  const auto datadir = workspace.dir() / "restored";
  workspace.dbkeep_json({"restore", id, "--datadir", datadir.string()});
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(datadir)) {
    struct stat info {};
    ASSERT_EQ(::lstat(entry.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, 64999U) << entry.path();
    EXPECT_EQ(info.st_gid, 64998U) << entry.path();
    ++checked;
  }
  EXPECT_GT(checked, 3U);
}

TEST_F(PhysicalBackupTest, MissingToolIsAClearUsageError) {
  PhysicalWorkspace workspace(server());
  workspace.set_path((workspace.dir() / "empty-path").string());
  auto run = workspace.dbkeep({"backup"});
  EXPECT_EQ(run.exit_code, 2) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "mariabackup is not installed")) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "mariadb-backup")) << run.stderr_text;
}

}  // namespace
}  // namespace dbkeep::test
