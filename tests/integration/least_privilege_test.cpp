// The backup user with exactly the grants the docs list ("The backup user" in docs/logical.md,
// docs/snapshot.md, docs/physical.md), per method, on MariaDB 10.11: the backup works (the
// replica status it may not read is skipped with a warning, as the server is no replica), and
// check-config passes with a note naming the optional grant; one documented grant taken away
// makes check-config fail with the GRANT statement to run.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/cli_workspace.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/snapshot_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

// What the docs list, word for word.
constexpr const char* kLogicalGrants =
    "RELOAD, PROCESS, SELECT, SHOW VIEW, TRIGGER, EVENT, "
    "BINLOG MONITOR";
constexpr const char* kPhysicalGrants = "RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SELECT";
constexpr const char* kSnapshotGrants = "RELOAD, PROCESS, BINLOG MONITOR";
constexpr const char* kPassword = "least-privilege-pw";

void create_least_user(const MariaDbServer& server, const std::string& user,
                       const std::string& grants) {
  server.execute("DROP USER IF EXISTS '" + user + "'@'localhost'");
  server.execute("CREATE USER '" + user + "'@'localhost' IDENTIFIED BY '" + kPassword + "'");
  server.execute("GRANT " + grants + " ON *.* TO '" + user + "'@'localhost'");
}

void write_password(const std::filesystem::path& file) {
  std::ofstream(file) << kPassword << "\n";
  ::chmod(file.c_str(), 0600);
}

class LeastPrivilegeTest : public MariaDbTestSuite {
 protected:
  // A workspace whose one set "db" backs `server()` up with `method` as `user`.
  CliWorkspace workspace_for(const std::string& method, const std::string& user) {
    CliWorkspace workspace("dbkeep-least-privilege-");
    ::chmod(workspace.dir().c_str(), 0755);  // mariabackup's scratch below it
    write_password(workspace.dir() / "pw");
    std::ofstream(workspace.config())
        << "[repository]\npath = \"" << (workspace.dir() / "repo").string() << "\"\n"
        << "temp_dir = \"" << workspace.dir().string() << "\"\n"
        << "[log]\nfile = \"" << (workspace.dir() / "dbkeep.log").string() << "\"\n"
        << "[[set]]\nname = \"db\"\nsource = \"mysql\"\nmethod = \"" << method << "\"\n"
        << "[set.mysql]\nsocket = \"" << server().socket().string() << "\"\nuser = \"" << user
        << "\"\npassword_file = \"" << (workspace.dir() / "pw").string() << "\"\n";
    return workspace;
  }

  void SetUp() override {
    MariaDbTestSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server().execute("CREATE DATABASE IF NOT EXISTS least_app");
    server().execute("CREATE TABLE IF NOT EXISTS least_app.t (id INT PRIMARY KEY) ENGINE=InnoDB");
    server().execute("REPLACE INTO least_app.t VALUES (1), (2), (3)");
  }
};

// The backup succeeds, records the position, and says once that the replica status was skipped.
void expect_backup_works(const CliWorkspace& workspace) {
  auto backup = workspace.dbkeep({"backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
  EXPECT_TRUE(contains(backup.stderr_text, "replica status not read")) << backup.stderr_text;
  EXPECT_TRUE(contains(backup.stderr_text, "SLAVE MONITOR")) << backup.stderr_text;
  const auto ids = workspace.listed_ids();
  ASSERT_EQ(ids.size(), 1U);
  auto shown = workspace.dbkeep_json({"show", ids[0]});
  EXPECT_FALSE(shown["facts"]["binlog"]["file"].get<std::string>().empty()) << shown.dump();
}

// check-config passes and names SLAVE MONITOR as an optional grant with its statement.
void expect_check_config_notes_replica_grant(const CliWorkspace& workspace,
                                             const std::string& user) {
  auto check = workspace.dbkeep({"check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;
  EXPECT_TRUE(contains(check.stdout_text, "ok    set 'db'")) << check.stdout_text;
  EXPECT_TRUE(
      contains(check.stdout_text, "GRANT SLAVE MONITOR ON *.* TO '" + user + "'@'localhost';"))
      << check.stdout_text;
}

TEST_F(LeastPrivilegeTest, LogicalBackupWorksWithTheDocumentedGrants) {
  create_least_user(server(), "least_logical", kLogicalGrants);
  auto workspace = workspace_for("logical", "least_logical");
  expect_backup_works(workspace);
  expect_check_config_notes_replica_grant(workspace, "least_logical");
}

TEST_F(LeastPrivilegeTest, PhysicalBackupWorksWithTheDocumentedGrants) {
  create_least_user(server(), "least_physical", kPhysicalGrants);
  auto workspace = workspace_for("physical", "least_physical");
  auto backup = workspace.dbkeep({"backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
  ASSERT_EQ(workspace.listed_ids().size(), 1U);
  expect_check_config_notes_replica_grant(workspace, "least_physical");
}

TEST_F(LeastPrivilegeTest, CheckConfigNamesEachMissingGrantWithTheStatementToRun) {
  create_least_user(server(), "least_missing", "SELECT, SHOW VIEW, TRIGGER, PROCESS");
  auto workspace = workspace_for("logical", "least_missing");
  auto check = workspace.dbkeep({"check-config"});
  EXPECT_EQ(check.exit_code, 2) << check.stdout_text;
  const std::string text = check.stdout_text;
  EXPECT_TRUE(contains(text, "FAIL  set 'db' (mysql, logical): backup user's privileges")) << text;
  EXPECT_TRUE(contains(text, "RELOAD (the global lock)")) << text;
  EXPECT_TRUE(contains(text, "EVENT (events)")) << text;
  EXPECT_TRUE(contains(text, "BINLOG MONITOR (the binary log position)")) << text;
  EXPECT_TRUE(contains(text,
                       "run: GRANT RELOAD, EVENT, BINLOG MONITOR ON *.* TO "
                       "'least_missing'@'localhost';"))
      << text;
  EXPECT_FALSE(contains(text, kPassword));

  // Killing long queries needs CONNECTION ADMIN too.
  std::ofstream(workspace.config(), std::ios::app) << "kill_long_queries = true\n";
  server().execute("GRANT RELOAD, EVENT, BINLOG MONITOR ON *.* TO 'least_missing'@'localhost'");
  auto kill = workspace.dbkeep({"check-config"});
  EXPECT_EQ(kill.exit_code, 2) << kill.stdout_text;
  EXPECT_TRUE(contains(kill.stdout_text,
                       "run: GRANT CONNECTION ADMIN ON *.* TO "
                       "'least_missing'@'localhost';"))
      << kill.stdout_text;
}

TEST(LeastPrivilegeSnapshotTest, SnapshotBackupWorksWithTheDocumentedGrants) {
  if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty())
    GTEST_SKIP() << reason;
  auto workspace = SnapshotWorkspace::create();
  ASSERT_TRUE(workspace) << workspace.error().message;
  auto& world = **workspace;
  create_least_user(world.server(), "least_snapshot", kSnapshotGrants);
  world.server().execute("CREATE DATABASE app");
  world.server().execute("CREATE TABLE app.t (id INT PRIMARY KEY) ENGINE=InnoDB");
  world.write_config();
  write_password(world.dir() / "pw");
  world.set_env("DBKEEP_SET_MAIN_MYSQL_USER", "least_snapshot");
  world.set_env("DBKEEP_SET_MAIN_MYSQL_PASSWORD_FILE", (world.dir() / "pw").string());
  auto backup = world.dbkeep({"backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
  EXPECT_TRUE(contains(backup.stderr_text, "replica status not read")) << backup.stderr_text;
  EXPECT_EQ(world.listed_ids().size(), 1U);
  auto check = world.dbkeep({"check-config"});
  EXPECT_TRUE(contains(check.stdout_text, "ok    set 'main' (mysql, snapshot): backup user's"))
      << check.stdout_text;
}

}  // namespace
}  // namespace dbkeep::test
