// End to end through the real dbkeep binary: SQLite backup, list, show, verify, restore.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "dbkeep/source/sqlite/sqlite_database.hpp"
#include "support/backup_tamper.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

using source::sqlite::SqliteDatabase;

TEST(SqliteBackupTest, BackupListShowVerifyRestore) {
  SqliteWorkspace workspace;
  workspace.fill(500, 100, /*wal=*/true);

  auto backup = workspace.dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U);
  std::string id = backup["backups"][0]["id"];
  EXPECT_EQ(backup["backups"][0]["status"], "complete");

  EXPECT_EQ(workspace.listed_ids(), std::vector<std::string>{id});
  auto manifest = workspace.dbkeep_json({"show", id});
  EXPECT_EQ(manifest["facts"]["integrity_check"], "ok");
  EXPECT_EQ(manifest["facts"]["tables"]["t"], 500);
  EXPECT_EQ(manifest["files"][0]["path"], "app.db");

  auto verify = workspace.dbkeep({"verify", "--latest"});
  EXPECT_EQ(verify.exit_code, 0) << verify.stderr_text;
  EXPECT_TRUE(contains(verify.stdout_text, "OK")) << verify.stdout_text;

  auto target = workspace.dir() / "restored.db";
  auto restore = workspace.dbkeep({"restore", id, "--sqlite-path", target.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.stderr_text;
  auto restored = SqliteDatabase::open(target, SqliteDatabase::Mode::kReadOnly);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->query_text("SELECT count(*) FROM t").value(), "500");
  EXPECT_EQ(restored->query_text("SELECT sum(length(payload)) FROM t").value(), "50000");

  std::string log;
  std::getline(std::ifstream(workspace.dir() / "dbkeep.log"), log, '\0');
  EXPECT_TRUE(contains(log, "[INFO] backup of set 'app' started")) << log;
  EXPECT_TRUE(contains(log, "complete:")) << log;
}

TEST(SqliteBackupTest, RestoreRefusesToOverwriteWithoutForceAndKeepsTheOldFile) {
  SqliteWorkspace workspace;
  workspace.fill(10, 10, /*wal=*/false);
  std::string id = workspace.dbkeep_json({"backup"})["backups"][0]["id"];
  workspace.sql("INSERT INTO t (payload) VALUES (x'00')");  // now 11 rows in the live file

  auto refused = workspace.dbkeep({"restore", id, "--sqlite-path", workspace.database().string()});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_TRUE(contains(refused.stderr_text, "--force")) << refused.stderr_text;
  EXPECT_EQ(workspace.query("SELECT count(*) FROM t"), "11");

  auto forced = workspace.dbkeep_json(
      {"restore", id, "--sqlite-path", workspace.database().string(), "--force"});
  EXPECT_EQ(workspace.query("SELECT count(*) FROM t"), "10");
  std::filesystem::path kept = forced["previous_kept_as"].get<std::string>();
  EXPECT_TRUE(contains(kept.filename().string(), "app.db.before-restore-")) << kept;
  auto old = SqliteDatabase::open(kept, SqliteDatabase::Mode::kReadOnly);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->query_text("SELECT count(*) FROM t").value(), "11");
}

TEST(SqliteBackupTest, CorruptByteIsFoundByVerifyNamingTheFile) {
  SqliteWorkspace workspace("compression = \"none\"\n");
  workspace.fill(200, 200, /*wal=*/false);
  std::string id = workspace.dbkeep_json({"backup"})["backups"][0]["id"];
  auto stored = workspace.repository() / "app" / id / "data" / "app.db";
  ASSERT_TRUE(std::filesystem::exists(stored));
  {
    std::fstream file(stored, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(20000);
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x40);
    file.seekp(20000);
    file.write(&byte, 1);
  }
  auto verify = workspace.dbkeep({"verify", id});
  EXPECT_EQ(verify.exit_code, 3) << verify.stderr_text;
  EXPECT_TRUE(contains(verify.stdout_text, "BAD")) << verify.stdout_text;
  EXPECT_TRUE(contains(verify.stdout_text + verify.stderr_text, "app.db")) << verify.stdout_text;
  EXPECT_TRUE(contains(verify.stdout_text, "SHA-256") || contains(verify.stdout_text, "sha256"))
      << verify.stdout_text;

  auto target = workspace.dir() / "restored.db";
  auto restore = workspace.dbkeep({"restore", id, "--sqlite-path", target.string()});
  EXPECT_NE(restore.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(target)) << "a corrupt backup must not be restored";
}

TEST(SqliteBackupTest, CorruptCompressedObjectIsFoundByVerify) {
  SqliteWorkspace workspace;
  workspace.fill(300, 300, /*wal=*/true);
  std::string id = workspace.dbkeep_json({"backup"})["backups"][0]["id"];
  auto stored = workspace.repository() / "app" / id / "data" / "app.db.zst";
  ASSERT_TRUE(std::filesystem::exists(stored));
  // Flipped, not overwritten: writing a constant byte changed nothing when the byte already
  // held it (1 run in 256, seen in CI).
  auto flipped = flip_bytes(stored, std::filesystem::file_size(stored) / 2, 1);
  ASSERT_TRUE(flipped) << flipped.error().message;
  auto verify = workspace.dbkeep({"verify"});
  EXPECT_EQ(verify.exit_code, 3) << verify.stderr_text << verify.stdout_text;
}

TEST(SqliteBackupTest, SecondConcurrentRunGetsExit4NamingTheHolder) {
  // A slow rollback-journal copy (one page per step, paused) keeps the first run busy.
  SqliteWorkspace workspace("");
  workspace.fill(400, 1000, /*wal=*/false);
  std::map<std::string, std::string> slow = {{"DBKEEP_SET_APP_SQLITE_PAGES_PER_STEP", "1"},
                                             {"DBKEEP_SET_APP_SQLITE_STEP_PAUSE_MS", "20"}};
  std::thread first([&] { workspace.dbkeep({"backup"}, slow); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto second = workspace.dbkeep({"backup"});
  first.join();
  EXPECT_EQ(second.exit_code, 4) << second.stderr_text;
  EXPECT_TRUE(contains(second.stderr_text, "another dbkeep (pid ")) << second.stderr_text;
}

TEST(SqliteBackupTest, UsageErrorsExit2) {
  SqliteWorkspace workspace;
  EXPECT_EQ(workspace.dbkeep({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(workspace.dbkeep({"list", "--bogus"}).exit_code, 2);
  EXPECT_EQ(workspace.dbkeep({"show"}).exit_code, 2);
  EXPECT_EQ(workspace.dbkeep({"backup", "--set", "nope"}).exit_code, 2);
  EXPECT_EQ(workspace.dbkeep({"show", "20260101_000000"}).exit_code, 2);
  auto missing = run_dbkeep({"--config", "/nonexistent/dbkeep.toml", "list"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.stderr_text, "/nonexistent/dbkeep.toml")) << missing.stderr_text;
}

TEST(SqliteBackupTest, HelpForEveryCommand) {
  for (const char* command : {"backup", "list", "show", "verify", "restore", "check-config"}) {
    auto help = run_dbkeep({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_TRUE(contains(help.stdout_text, std::string("usage: dbkeep ") + command))
        << help.stdout_text;
  }
  auto general = run_dbkeep({"--help"});
  EXPECT_EQ(general.exit_code, 0);
  EXPECT_TRUE(contains(general.stdout_text, "check-config"));
}

TEST(SqliteBackupTest, CheckConfigReportsProblemsAndChangesNothing) {
  SqliteWorkspace workspace;
  auto missing_db = workspace.dbkeep({"check-config"});
  EXPECT_EQ(missing_db.exit_code, 2);
  EXPECT_TRUE(contains(missing_db.stdout_text, "does not exist")) << missing_db.stdout_text;
  EXPECT_FALSE(std::filesystem::exists(workspace.repository()));
  EXPECT_FALSE(std::filesystem::exists(workspace.database()));

  workspace.fill(1, 1, false);
  auto fine = workspace.dbkeep({"check-config"});
  EXPECT_EQ(fine.exit_code, 0) << fine.stdout_text << fine.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(workspace.repository()));
}

TEST(SqliteBackupTest, BadConfigIsExit2WithFileAndLine) {
  SqliteWorkspace workspace;
  std::ofstream(workspace.config(), std::ios::app) << "colour = \"blue\"\n";
  auto run = workspace.dbkeep({"list"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_TRUE(contains(run.stderr_text, "dbkeep.toml:")) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "unknown key 'colour'")) << run.stderr_text;
}

}  // namespace
}  // namespace dbkeep::test
