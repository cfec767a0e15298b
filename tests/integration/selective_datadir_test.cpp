// `restore --to-server --only` from snapshot (btrfs) and physical (mariabackup) backups, on
// real MariaDB: the accident (a dropped table, an UPDATE without WHERE) is undone by taking the
// tables from a scratch server on the backup; every table of the server then equals what it
// was at the backup by CHECKSUM TABLE, and no scratch server or directory is left.

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "support/backup_tamper.hpp"
#include "support/logical_compare.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/physical_workspace.hpp"
#include "support/snapshot_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

namespace fs = std::filesystem;

const fs::path kFixture = fs::path(DBKEEP_SOURCE_DIR) / "tests/data/selective_restore.sql";

void expect_no_scratch_left(const fs::path& temp_dir) {
  std::error_code error;
  for (auto it = fs::directory_iterator(temp_dir, error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    EXPECT_FALSE(contains(it->path().filename().string(), "dbkeep-only-")) << it->path();
  }
  const auto left = processes_mentioning((temp_dir / "dbkeep-only-").string());
  EXPECT_TRUE(left.empty()) << "scratch server left running: " << left.front();
}

// The accident, the selective restore that undoes it, and what must hold afterwards.
void undo_the_accident(CliWorkspace& workspace, MariaDbServer& server, const fs::path& temp_dir) {
  server.execute("DROP DATABASE IF EXISTS shop");
  server.execute("DROP DATABASE IF EXISTS crm");
  load_with_client(server, kFixture);
  auto backup = workspace.dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  const std::string id = backup["backups"][0]["id"];
  const auto at_backup = server_checksums(server);

  server.execute("DROP TABLE shop.audited");
  server.execute("UPDATE shop.customers SET name = 'oops'");
  server.execute("INSERT INTO crm.contacts VALUES (1000, 'after the backup')");  // stays
  auto expected = at_backup;
  const auto after_accident = server_checksums(server);
  expected["crm.contacts"] = after_accident.at("crm.contacts");

  auto plan = workspace.dbkeep_json({"restore", id, "--to-server", "--socket",
                                     server.socket().string(), "--user", "root", "--only",
                                     "shop.audited,shop.customers", "--dry-run"});
  ASSERT_EQ(plan["restore"]["rooms"].size(), 2U) << plan.dump(2);
  EXPECT_EQ(plan["restore"]["rooms"][0]["what"], "scratch server and dump");

  auto missing =
      workspace.dbkeep({"restore", id, "--to-server", "--socket", server.socket().string(),
                        "--user", "root", "--only", "shop.nope"});
  EXPECT_EQ(missing.exit_code, 2) << missing.stderr_text;
  EXPECT_TRUE(contains(missing.stderr_text, "`shop`.`nope`")) << missing.stderr_text;
  EXPECT_TRUE(contains(missing.stderr_text, "`shop`.`customers`")) << missing.stderr_text;
  EXPECT_EQ(server_checksums(server), after_accident) << "the dry run or the refusal wrote";
  expect_no_scratch_left(temp_dir);

  auto restored = workspace.dbkeep_json({"restore", id, "--to-server", "--socket",
                                         server.socket().string(), "--user", "root", "--only",
                                         "shop.audited,shop.customers", "--drop-existing"});
  EXPECT_EQ(restored["tables"], 2) << restored.dump(2);
  EXPECT_EQ(server_checksums(server), expected);
  EXPECT_EQ(server.query_value("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE "
                               "TRIGGER_SCHEMA = 'shop' AND EVENT_OBJECT_TABLE = 'audited'"),
            "2");
  expect_no_scratch_left(temp_dir);
}

class PhysicalSelectiveRestoreTest : public MariaDbTestSuite {};

TEST_F(PhysicalSelectiveRestoreTest, TablesComeBackFromAPhysicalBackup) {
  PhysicalWorkspace workspace(server());
  undo_the_accident(workspace, server(), workspace.dir() / "temp");
}

// kill -9 while the scratch server runs: that server outlives dbkeep (it is not killed with
// its parent), so the next run that needs a scratch server stops it and removes its directory
// (restore/scratch_claim.hpp), then restores; nothing is left either way.
TEST_F(PhysicalSelectiveRestoreTest, AKilledRestoreLeavesNothingOnceTheNextRunHasRun) {
  PhysicalWorkspace workspace(server());
  server().execute("DROP DATABASE IF EXISTS shop");
  server().execute("DROP DATABASE IF EXISTS crm");
  load_with_client(server(), kFixture);
  auto backup = workspace.dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  const std::string id = backup["backups"][0]["id"];
  const auto at_backup = server_checksums(server());
  server().execute("DROP TABLE shop.audited");
  const std::vector<std::string> restore = {
      "restore", id,     "--to-server", "--socket",     server().socket().string(),
      "--user",  "root", "--only",      "shop.audited", "--drop-existing"};

  core::SpawnOptions spawn;
  spawn.argv = {DBKEEP_BINARY, "--config", workspace.config().string()};
  spawn.argv.insert(spawn.argv.end(), restore.begin(), restore.end());
  auto child = core::ChildProcess::spawn(spawn);
  ASSERT_TRUE(child) << child.error().message;
  const auto scratch_prefix = (workspace.dir() / "temp" / "dbkeep-only-").string();
  bool server_seen = false;
  for (int i = 0; i < 1200 && !server_seen; ++i) {
    for (const auto& process : processes_mentioning(scratch_prefix)) {
      if (contains(process, "mariadbd")) server_seen = true;
    }
    if (!server_seen) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(server_seen) << "no scratch server started";
  ::kill(child->pid(), SIGKILL);
  (void)child->wait();

  auto again = workspace.dbkeep(restore);
  EXPECT_EQ(again.exit_code, 0) << again.stderr_text;
  EXPECT_TRUE(contains(again.stderr_text, "left by a killed dbkeep")) << again.stderr_text;
  EXPECT_EQ(server_checksums(server()), at_backup);
  expect_no_scratch_left(workspace.dir() / "temp");
}

TEST(SnapshotSelectiveRestoreTest, TablesComeBackFromASnapshotBackup) {
  if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << "snapshot test skipped: " << reason;
  }
  auto created = SnapshotWorkspace::create();
  ASSERT_TRUE(created) << created.error().message;
  auto& workspace = **created;
  workspace.write_config();
  undo_the_accident(workspace, workspace.server(), workspace.dir());
}

}  // namespace
}  // namespace dbkeep::test
