// `dbkeep verify --restore-test` on snapshot backups (btrfs, real MariaDB): a backup taken
// under the money-transfer load passes the drill (crash recovery on a scratch server, CHECK
// TABLE everywhere); the same kind of backup with an .ibd page flipped and the manifest made to
// match passes the checksum pass but fails the drill, exit 3, naming the table; no scratch
// server or files remain.

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "support/backup_tamper.hpp"
#include "support/bank_writer.hpp"
#include "support/snapshot_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;

// Scratch directories of drills (dbkeep-drill-*) left in `temp_dir`, and processes naming one.
void expect_no_drill_leftovers(const fs::path& temp_dir) {
  for (const auto& entry : fs::directory_iterator(temp_dir)) {
    EXPECT_FALSE(contains(entry.path().filename().string(), "dbkeep-drill-")) << entry.path();
  }
  const auto left = processes_mentioning((temp_dir / "dbkeep-drill-").string());
  EXPECT_TRUE(left.empty()) << "scratch server left running: " << left.front();
}

TEST(SnapshotRestoreDrillTest, GoodSnapshotPassesAndACorruptPageFailsNamingTheTable) {
  if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << "snapshot drill test skipped: " << reason;
  }
  auto created = SnapshotWorkspace::create();
  ASSERT_TRUE(created) << created.error().message;
  auto& workspace = **created;
  workspace.write_config("compression = \"zstd\"\n");
  auto& server = workspace.server();
  server.execute("CREATE DATABASE drill");
  server.execute("CREATE TABLE drill.t (id INT PRIMARY KEY, payload VARCHAR(250)) ENGINE=InnoDB");
  server.execute(
      "INSERT INTO drill.t SELECT seq, CONCAT(seq, REPEAT('x', 200)) FROM drill.seq_1_to_20000");

  // Good: taken while transfers commit; crash recovery must make it consistent.
  BankWriter bank(server.root_options(), BankOptions{.writer_threads = 2});
  ASSERT_TRUE(bank.create_tables());
  ASSERT_TRUE(bank.start());
  for (int i = 0; i < 3000 && bank.commits() < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto good = workspace.dbkeep_json({"backup"});
  bank.stop();
  ASSERT_EQ(good["backups"].size(), 1U) << good.dump();
  const std::string good_id = good["backups"][0]["id"];
  auto passed = workspace.dbkeep_json({"verify", good_id, "--restore-test"});
  EXPECT_EQ(passed["ok"], true) << passed.dump(2);
  const auto& drill = passed["results"][0]["restore_test"];
  EXPECT_GE(drill["tables_checked"].get<int>(), 3);
  EXPECT_GE(drill["rows_checked"].get<std::uint64_t>(), 20000U);
  expect_no_drill_leftovers(workspace.dir());

  // Corrupt: everything flushed and checkpointed first, so crash recovery has no redo to
  // rebuild drill.t's pages from and reads the damaged copy.
  flush_and_checkpoint(server);
  auto bad = workspace.dbkeep_json({"backup"});
  ASSERT_EQ(bad["backups"].size(), 1U) << bad.dump();
  const std::string bad_id = bad["backups"][0]["id"];
  const StoredBackupFile ibd{workspace.repository(), "main", bad_id, "drill/t.ibd"};
  const fs::path copy = workspace.dir() / "t.ibd";
  ASSERT_TRUE(fetch_backup_file(ibd, copy));
  ASSERT_TRUE(flip_bytes(copy, 16384 * 6 + 3000, 64));
  ASSERT_TRUE(replace_backup_file(ibd, copy));
  fs::remove(copy);

  auto checksums = workspace.dbkeep({"verify", bad_id});
  EXPECT_EQ(checksums.exit_code, 0) << checksums.stdout_text << checksums.stderr_text;
  auto failed = workspace.dbkeep({"verify", bad_id, "--restore-test"});
  EXPECT_EQ(failed.exit_code, 3) << failed.stdout_text << failed.stderr_text;
  EXPECT_TRUE(contains(failed.stdout_text, "table drill.t")) << failed.stdout_text;
  std::cerr << "[ drill    ] " << failed.stdout_text;
  expect_no_drill_leftovers(workspace.dir());
}

}  // namespace
}  // namespace dbkeep::test
