// `dbkeep verify --restore-test` for physical (mariabackup) and logical backups, through the
// real binary against a real MariaDB: a good backup passes; a backup whose data is damaged
// while its checksums match (an .ibd page flipped inside the xbstream, a data chunk cut short,
// the manifest rewritten to match) passes the checksum pass and fails the drill, exit 3, naming
// the table; the scratch server and files are gone after a failure and after SIGTERM.
// (Snapshot backups: snapshot_restore_drill_test.cpp.)

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "support/backup_tamper.hpp"
#include "support/bank_writer.hpp"
#include "support/cli_workspace.hpp"
#include "support/logical_workspace.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/physical_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;

void expect_scratch_gone(const fs::path& temp_dir) {
  EXPECT_TRUE(fs::is_empty(temp_dir)) << "scratch files left in " << temp_dir;
  EXPECT_TRUE(processes_mentioning(temp_dir.string()).empty())
      << "a scratch server is still running: " << processes_mentioning(temp_dir.string())[0];
}

// 20 000 rows of ~200 bytes: a few hundred InnoDB pages.
void create_drill_table(const MariaDbServer& server) {
  server.execute("DROP DATABASE IF EXISTS drill");
  server.execute("CREATE DATABASE drill");
  server.execute("CREATE TABLE drill.t (id INT PRIMARY KEY, payload VARCHAR(250)) ENGINE=InnoDB");
  server.execute(
      "INSERT INTO drill.t SELECT seq, CONCAT(seq, REPEAT('x', 200)) FROM drill.seq_1_to_20000");
  flush_and_checkpoint(server);
}

class MysqlRestoreDrillTest : public MariaDbTestSuite {};

TEST_F(MysqlRestoreDrillTest, PhysicalBackupUnderLoadPassesTheDrillAndIsRecorded) {
  PhysicalWorkspace workspace(server());
  create_drill_table(server());
  BankWriter bank(server().root_options(), BankOptions{.accounts_per_table = 200});
  ASSERT_TRUE(bank.create_tables());
  ASSERT_TRUE(bank.start());
  auto backup = workspace.dbkeep_json({"backup"});
  bank.stop();
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  const std::string id = backup["backups"][0]["id"];

  auto verify = workspace.dbkeep_json({"verify", id, "--restore-test"});
  EXPECT_EQ(verify["ok"], true) << verify.dump(2);
  const auto& drill = verify["results"][0]["restore_test"];
  EXPECT_EQ(drill["ok"], true) << drill.dump(2);
  EXPECT_GE(drill["tables_checked"].get<int>(), 3);  // drill.t, bank.accounts_a/_b, mysql.*
  EXPECT_GE(drill["rows_checked"].get<std::uint64_t>(), 20400U);
  auto listing = workspace.dbkeep_json({"list"});
  EXPECT_EQ(listing["backups"][0]["last_verified"]["ok"], true) << listing.dump(2);
  expect_scratch_gone(workspace.dir() / "temp");
}

TEST_F(MysqlRestoreDrillTest, PhysicalBackupWithACorruptPageButMatchingChecksumsFailsNamingIt) {
  PhysicalWorkspace workspace(server());
  create_drill_table(server());
  auto backup = workspace.dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  const std::string id = backup["backups"][0]["id"];

  // Unpack the stream, flip bytes inside a data page of drill.t, pack it again, and make the
  // manifest match the damaged stream.
  const StoredBackupFile stream{workspace.dir() / "repo", "db", id, "backup.xbstream"};
  const fs::path work = workspace.dir() / "tamper";
  fs::create_directories(work);
  ASSERT_TRUE(fetch_backup_file(stream, work / "original.xbstream"));
  ASSERT_TRUE(xbstream_extract(work / "original.xbstream", work / "files"));
  ASSERT_TRUE(fs::exists(work / "files" / "drill" / "t.ibd"));
  ASSERT_TRUE(flip_bytes(work / "files" / "drill" / "t.ibd", 16384 * 6 + 3000, 64));
  ASSERT_TRUE(xbstream_create(work / "files", work / "damaged.xbstream"));
  ASSERT_TRUE(replace_backup_file(stream, work / "damaged.xbstream"));
  fs::remove_all(work);

  auto checksums = workspace.dbkeep({"verify", id});
  EXPECT_EQ(checksums.exit_code, 0)
      << "checksums match: " << checksums.stdout_text << checksums.stderr_text;
  auto drill = workspace.dbkeep({"verify", id, "--restore-test"});
  EXPECT_EQ(drill.exit_code, 3) << drill.stdout_text << drill.stderr_text;
  EXPECT_TRUE(contains(drill.stdout_text, "table drill.t")) << drill.stdout_text;
  std::cerr << "[ drill    ] " << drill.stdout_text;
  auto listing = workspace.dbkeep_json({"list"});
  EXPECT_EQ(listing["backups"][0]["last_verified"]["ok"], false);
  expect_scratch_gone(workspace.dir() / "temp");
}

TEST_F(MysqlRestoreDrillTest, SigtermDuringTheDrillLeavesNoScratchServerOrFiles) {
  PhysicalWorkspace workspace(server());
  create_drill_table(server());
  auto backup = workspace.dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  const std::string id = backup["backups"][0]["id"];

  const fs::path temp = workspace.dir() / "temp";
  auto child =
      core::ChildProcess::spawn({.argv = {DBKEEP_BINARY, "--config", workspace.config().string(),
                                          "verify", id, "--restore-test"}});
  ASSERT_TRUE(child) << child.error().message;
  // Wait until the scratch server is being started (its runtime directory exists).
  ASSERT_TRUE(wait_for_scratch_entry(temp, "run")) << "the drill never started a scratch server";
  ::kill(child->pid(), SIGTERM);
  auto status = child->wait();
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->success()) << "the drill should have been cancelled";
  expect_scratch_gone(temp);
}

TEST_F(MysqlRestoreDrillTest, LogicalBackupPassesAndATruncatedChunkFailsNamingTheTable) {
  LogicalWorkspace workspace(server(), "dbkeep-logical-drill-");
  create_drill_table(server());
  server().execute("DROP DATABASE IF EXISTS bank");
  auto backup = workspace.dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  const std::string id = backup["backups"][0]["id"];

  auto good = workspace.dbkeep_json({"verify", id, "--restore-test"});
  EXPECT_EQ(good["ok"], true) << good.dump(2);
  EXPECT_GE(good["results"][0]["restore_test"]["rows_checked"].get<std::uint64_t>(), 20000U);
  expect_scratch_gone(workspace.temp());

  // Cut one data chunk of drill.t in half and make the manifest match.
  auto manifest = workspace.dbkeep_json({"show", id});
  std::string chunk;
  for (const auto& file : manifest["files"]) {
    const auto attributes = file.value("attributes", nlohmann::json::object());
    if (attributes.value("kind", "") == "table-data" && attributes.value("schema", "") == "drill") {
      chunk = file["path"].get<std::string>();
    }
  }
  ASSERT_FALSE(chunk.empty()) << manifest.dump(2);
  const StoredBackupFile stored{workspace.dir() / "repo", "db", id, chunk};
  const fs::path copy = workspace.dir() / "chunk.sql";
  ASSERT_TRUE(fetch_backup_file(stored, copy));
  fs::resize_file(copy, fs::file_size(copy) / 2);
  ASSERT_TRUE(replace_backup_file(stored, copy));

  auto checksums = workspace.dbkeep({"verify", id});
  EXPECT_EQ(checksums.exit_code, 0) << checksums.stdout_text << checksums.stderr_text;
  auto drill = workspace.dbkeep({"verify", id, "--restore-test"});
  EXPECT_EQ(drill.exit_code, 3) << drill.stdout_text << drill.stderr_text;
  EXPECT_TRUE(contains(drill.stdout_text, "table drill.t")) << drill.stdout_text;
  std::cerr << "[ drill    ] " << drill.stdout_text;
  expect_scratch_gone(workspace.temp());
}

}  // namespace
}  // namespace dbkeep::test
