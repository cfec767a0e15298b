// A server run as in a container: in a private mount namespace its datadir is bind-mounted at a
// path that is an empty directory on this host, so @@datadir names nothing dbkeep can read. The
// physical and snapshot methods then back it up through [set.mysql] datadir (the host path of
// the same files); check-config recognises the server's files there, and a missing or wrong
// datadir is a clear error before anything is written.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/mariadb_server.hpp"
#include "support/physical_workspace.hpp"
#include "support/snapshot_workspace.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;

// A directory the server (running as mysql) can traverse, for the path it sees its datadir at.
core::TempDir reachable_temp_dir() {
  auto dir = make_temp_dir("dbkeep-container-");
  ::chmod(dir.path().c_str(), 0755);
  return dir;
}

void fill_app_schema(const MariaDbServer& server) {
  server.execute("CREATE DATABASE app");
  server.execute("CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB");
  server.execute("INSERT INTO app.t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
}

// The rows of app.t on the server `restore --start` left at `socket`, then stops it.
std::string restored_rows(const nlohmann::json& restore) {
  if (!restore.contains("server")) return "no server in " + restore.dump();
  const fs::path socket = restore["server"]["socket"].get<std::string>();
  source::mysql::ConnectionOptions options;
  options.socket = socket.string();
  options.user = "root";
  std::string rows;
  if (auto connection = source::mysql::Connection::connect(options)) {
    auto result = connection->query("SELECT GROUP_CONCAT(v ORDER BY id) FROM app.t");
    rows = result && !result->rows.empty() ? result->rows[0][0].value_or("NULL") : "query failed";
  } else {
    rows = connection.error().message;
  }
  EXPECT_TRUE(stop_detached_server(restore["server"]["pid"].get<pid_t>()));
  fs::remove_all(socket.parent_path());
  return rows;
}

TEST(ContainerDatadirTest, PhysicalBackupReadsTheServersFilesThroughTheConfiguredDatadir) {
  DBKEEP_SKIP_WITHOUT_MARIADB();
  auto scratch = reachable_temp_dir();
  const fs::path seen_as = scratch.path() / "var-lib-mysql";
  MariaDbServerOptions options;
  options.datadir_seen_as = seen_as;
  auto server = MariaDbServer::start(options);
  ASSERT_TRUE(server) << server.error().message;
  ASSERT_EQ((*server)->query_value("SELECT @@datadir"), seen_as.string() + "/");
  ASSERT_TRUE(fs::is_empty(seen_as)) << "outside the server's namespace the path shows nothing";
  fill_app_schema(**server);
  PhysicalWorkspace workspace(**server);

  // Not set: check-config and backup both say which key to set; nothing is stored.
  auto check = workspace.dbkeep({"check-config"});
  EXPECT_NE(check.exit_code, 0);
  EXPECT_TRUE(contains(check.stdout_text, "[set.mysql] datadir")) << check.stdout_text;
  auto failed = workspace.dbkeep({"backup"});
  EXPECT_EQ(failed.exit_code, 2) << failed.stderr_text;
  EXPECT_TRUE(contains(failed.stderr_text, "does not hold this server's files")) << failed.stderr_text;
  EXPECT_TRUE(contains(failed.stderr_text, "[set.mysql] datadir")) << failed.stderr_text;
  EXPECT_TRUE(workspace.listed_ids().empty());

  // A directory that is not the server's: the expected files it lacks are named.
  const fs::path wrong = scratch.path() / "not-the-datadir";
  fs::create_directories(wrong / "app");
  workspace.set_env("DBKEEP_SET_DB_MYSQL_DATADIR", wrong.string());
  check = workspace.dbkeep({"check-config"});
  EXPECT_NE(check.exit_code, 0);
  EXPECT_TRUE(contains(check.stdout_text, "does not hold this server's files"))
      << check.stdout_text;
  EXPECT_TRUE(contains(check.stdout_text, (wrong / "ibdata1").string())) << check.stdout_text;
  EXPECT_TRUE(contains(check.stdout_text, (wrong / "app/t.ibd").string())) << check.stdout_text;
  EXPECT_NE(workspace.dbkeep({"backup"}).exit_code, 0);
  EXPECT_TRUE(workspace.listed_ids().empty());

  // The host path of the volume: recognised, backed up, restored with the rows intact.
  workspace.set_env("DBKEEP_SET_DB_MYSQL_DATADIR", (*server)->datadir().string());
  check = workspace.dbkeep({"check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;
  EXPECT_TRUE(contains(check.stdout_text, "the server sees it as " + seen_as.string()))
      << check.stdout_text;
  auto backup = workspace.dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  std::string id = backup["backups"][0]["id"];
  auto restore = workspace.dbkeep_json(
      {"restore", id, "--datadir", (workspace.dir() / "restored").string(), "--start"});
  EXPECT_EQ(restored_rows(restore), "one,two,three");
}

TEST(ContainerDatadirTest, SnapshotBackupFindsTheDatadirOnTheVolumeThroughTheConfiguredPath) {
  if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << "snapshot test skipped: " << reason;
  }
  auto scratch = reachable_temp_dir();
  const fs::path seen_as = scratch.path() / "var-lib-mysql";
  auto workspace = SnapshotWorkspace::create(seen_as);
  ASSERT_TRUE(workspace) << workspace.error().message;
  auto& server = (*workspace)->server();
  ASSERT_EQ(server.query_value("SELECT @@datadir"), seen_as.string() + "/");
  fill_app_schema(server);

  (*workspace)->write_config();
  auto failed = (*workspace)->dbkeep({"backup"});
  EXPECT_EQ(failed.exit_code, 2) << failed.stderr_text;
  EXPECT_TRUE(contains(failed.stderr_text, "[set.mysql] datadir")) << failed.stderr_text;
  EXPECT_TRUE((*workspace)->listed_ids().empty());
  EXPECT_TRUE(fs::is_empty((*workspace)->snapshot_dir())) << "checked before any snapshot";

  (*workspace)->write_config("", "datadir = \"" + server.datadir().string() + "\"\n");
  auto backup = (*workspace)->dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  std::string id = backup["backups"][0]["id"];
  auto manifest = (*workspace)->dbkeep_json({"show", id});
  EXPECT_EQ(manifest["facts"]["server"]["datadir"], server.datadir().string());
  EXPECT_EQ(manifest["facts"]["server"]["server_datadir"], seen_as.string());
  auto restore = (*workspace)
                     ->dbkeep_json({"restore", id, "--datadir",
                                    ((*workspace)->dir() / "restored").string(), "--start"});
  EXPECT_EQ(restored_rows(restore), "one,two,three");
}

}  // namespace
}  // namespace dbkeep::test
