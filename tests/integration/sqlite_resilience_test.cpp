// SQLite backups under a live writer, kill -9 and a full disk, through the real binary.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/fd.hpp"
#include "dbkeep/source/sqlite/sqlite_database.hpp"
#include "support/abandoned_file.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"
#include "support/tmpfs_mount.hpp"

namespace dbkeep::test {
namespace {

using source::sqlite::SqliteDatabase;
using namespace std::chrono_literals;

// A separate process that commits one row per transaction (ids 1, 2, 3, …) until killed.
class WriterProcess {
 public:
  explicit WriterProcess(const std::filesystem::path& database) {
    pid_ = ::fork();
    if (pid_ == 0) {
      auto db = SqliteDatabase::open(database, SqliteDatabase::Mode::kReadWrite, 60000);
      if (!db) ::_exit(1);
      for (long i = 1;; ++i) {
        if (!db->execute("INSERT INTO log (id, payload) VALUES (" + std::to_string(i) +
                         ", randomblob(200))")) {
          ::_exit(2);
        }
      }
    }
  }
  ~WriterProcess() { stop(); }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

long max_id(const SqliteWorkspace& workspace) {
  auto text = workspace.query("SELECT coalesce(max(id), 0) FROM log");
  return text.starts_with("error") ? 0 : std::stol(text);
}

class SqliteLiveWriterTest : public ::testing::TestWithParam<bool> {};

// Backs up while another process keeps inserting; the restored copy passes the integrity check
// and holds every row committed before the backup started, as a gap-free prefix.
TEST_P(SqliteLiveWriterTest, BackupUnderConcurrentInsertsRestoresAConsistentPrefix) {
  bool wal = GetParam();
  SqliteWorkspace workspace;
  workspace.sql(std::string("PRAGMA journal_mode = ") + (wal ? "WAL" : "DELETE"));
  workspace.sql("CREATE TABLE log (id INTEGER PRIMARY KEY, payload BLOB)");
  workspace.sql("CREATE TABLE filler (b BLOB)");
  workspace.sql(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
      "INSERT INTO filler SELECT randomblob(2000) FROM n");

  WriterProcess writer(workspace.database());
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (max_id(workspace) < 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  long committed_before = max_id(workspace);
  ASSERT_GE(committed_before, 200) << "the writer did not get going";

  auto backup = workspace.dbkeep_json({"backup"});
  long committed_after = max_id(workspace);
  writer.stop();
  ASSERT_EQ(backup["backups"].size(), 1U);
  std::string id = backup["backups"][0]["id"];
  EXPECT_GT(committed_after, committed_before) << "the writer was blocked during the backup";

  auto target = workspace.dir() / "restored.db";
  auto restore = workspace.dbkeep({"restore", id, "--sqlite-path", target.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.stderr_text;
  auto restored = SqliteDatabase::open(target, SqliteDatabase::Mode::kReadOnly);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->integrity_check().value(), "ok");
  long rows = std::stol(restored->query_text("SELECT count(*) FROM log").value());
  long highest = std::stol(restored->query_text("SELECT max(id) FROM log").value());
  EXPECT_EQ(rows, highest) << "rows are not a gap-free prefix";
  EXPECT_GE(highest, committed_before);
  EXPECT_LE(highest, committed_after);
  EXPECT_EQ(restored->query_text("SELECT count(*) FROM filler").value(), "2000");
}

INSTANTIATE_TEST_SUITE_P(JournalModes, SqliteLiveWriterTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Wal" : "RollbackJournal"; });

// kill -9 while the backup is storing: nothing is listed, the next run removes the leftovers
// (repository objects and temp copies) and succeeds.
TEST(SqliteKillTest, KilledBackupIsNeverListedAndTheNextRunCleansUp) {
  // Level 19 on incompressible data makes storing slow enough to be caught in the act.
  SqliteWorkspace workspace("compression_level = 19\ncompression_threads = 1\n");
  workspace.fill(1200, 50000, /*wal=*/false);  // ≈ 60 MB

  core::SpawnOptions options;
  options.argv = {DBKEEP_BINARY, "--quiet", "--config", workspace.config().string(), "backup"};
  auto child = core::ChildProcess::spawn(options);
  ASSERT_TRUE(child) << child.error().message;
  auto set_dir = workspace.repository() / "app";
  auto deadline = std::chrono::steady_clock::now() + 60s;
  bool storing = false;
  while (!storing && std::chrono::steady_clock::now() < deadline) {
    std::error_code ignored;
    for (auto it = std::filesystem::recursive_directory_iterator(set_dir, ignored);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
      if (it->is_regular_file(ignored) && it->path().string().find("tmp") != std::string::npos &&
          std::filesystem::file_size(it->path(), ignored) > 1'000'000) {
        storing = true;
      }
    }
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(storing) << "never saw the backup storing data";
  ::kill(child->pid(), SIGKILL);
  auto status = child->wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGKILL);

  EXPECT_TRUE(workspace.listed_ids().empty());
  EXPECT_FALSE(std::filesystem::is_empty(workspace.temp())) << "expected the killed run's copy";

  auto next = workspace.dbkeep({"backup"}, {{"DBKEEP_SET_APP_COMPRESSION_LEVEL", "1"}});
  ASSERT_EQ(next.exit_code, 0) << next.stderr_text;
  EXPECT_TRUE(contains(next.stderr_text, "removing incomplete backup")) << next.stderr_text;
  auto ids = workspace.listed_ids();
  ASSERT_EQ(ids.size(), 1U);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(set_dir),
                          std::filesystem::directory_iterator()),
            1)
      << "leftover backup directories remain";
  EXPECT_TRUE(std::filesystem::is_empty(workspace.temp())) << "temp copies remain";
  EXPECT_EQ(workspace.dbkeep({"verify"}).exit_code, 0);
}

TEST(SqliteKillTest, CopyOfAKilledRestoreIsRemovedByTheNextRestoreAndALiveOneIsNot) {
  SqliteWorkspace workspace;
  workspace.fill(50, 1000, /*wal=*/false);
  ASSERT_EQ(workspace.dbkeep({"backup"}).exit_code, 0);
  auto target = workspace.dir() / "restored.db";
  // What a restore killed mid-copy leaves next to its target; a second copy stays claimed by
  // this process, as a restore still running would.
  auto abandoned = target.parent_path() / ".restored.db.dbkeep-restore-4242";
  test::leave_file_of_a_killed_writer(abandoned, "half a database");
  auto running = target.parent_path() / ".restored.db.dbkeep-restore-4343";
  std::ofstream(running) << "another restore, still copying";
  core::Fd claim(::open(running.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(claim);
  ASSERT_EQ(::flock(claim.get(), LOCK_EX), 0);

  auto ids = workspace.listed_ids();
  ASSERT_EQ(ids.size(), 1U);
  auto restore = workspace.dbkeep({"restore", ids.front(), "--sqlite-path", target.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(abandoned)) << "the killed restore's copy is still there";
  EXPECT_TRUE(std::filesystem::exists(running)) << "a live restore's copy was removed";
  auto restored = SqliteDatabase::open(target, SqliteDatabase::Mode::kReadOnly);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->query_text("SELECT count(*) FROM t").value(), "50");
}

TEST(SqliteFullDiskTest, RefusesEarlyWhenTheBackupCannotFit) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  const auto mount_point = make_temp_dir("dbkeep-full-");
  const auto& scratch = mount_point.path();
  TmpfsMount tmpfs(scratch, "8m");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  SqliteWorkspace workspace("", scratch / "repo");
  workspace.fill(400, 50000, /*wal=*/false);  // ≈ 20 MB

  auto run = workspace.dbkeep({"backup"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(contains(run.stderr_text, "not enough free space in the repository"))
      << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "are free")) << run.stderr_text;
  EXPECT_TRUE(workspace.listed_ids().empty());
}

// The estimate passes (a previous backup compressed well) but the disk fills while storing:
// clear error, nothing listed, nothing left behind, the lock released.
TEST(SqliteFullDiskTest, DiskFillingUpMidwayLeavesNothingAndReleasesTheLock) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  const auto mount_point = make_temp_dir("dbkeep-fill-");
  const auto& scratch = mount_point.path();
  TmpfsMount tmpfs(scratch, "24m");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  SqliteWorkspace workspace("", scratch / "repo");
  workspace.sql("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)");
  workspace.sql(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
      "INSERT INTO t (payload) SELECT zeroblob(50000) FROM n");  // ≈ 5 MB, compresses to little
  ASSERT_EQ(workspace.dbkeep({"backup"}).exit_code, 0);

  // Now ≈ 40 MB of incompressible data: the estimate from the last ratio passes, the disk fills.
  workspace.sql(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 700) "
      "INSERT INTO t (payload) SELECT randomblob(50000) FROM n");
  auto run = workspace.dbkeep({"backup"});
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "No space left on device") ||
              contains(run.stderr_text, "disk is full") || contains(run.stderr_text, "full"))
      << run.stderr_text;
  EXPECT_EQ(workspace.listed_ids().size(), 1U) << "only the first backup may be listed";
  auto set_dir = workspace.repository() / "app";
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(set_dir),
                          std::filesystem::directory_iterator()),
            1)
      << "the failed backup left files behind";
  // The lock was released: another backup can start (and fails only for lack of space).
  auto again = workspace.dbkeep({"backup"});
  EXPECT_NE(again.exit_code, 4) << again.stderr_text;
}

}  // namespace
}  // namespace dbkeep::test
