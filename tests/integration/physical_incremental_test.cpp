// Physical incrementals against a real MariaDB: a full backup and two incrementals with writes
// in between restore (chain applied in order) to the state of the last one; the chain is
// recorded in the manifests; restore refuses a non-empty target unless --force, which moves the
// old content aside instead of deleting it.

#include <gtest/gtest.h>

#include <fstream>

#include "support/mariadb_test_suite.hpp"
#include "support/physical_workspace.hpp"

namespace dbkeep::test {
namespace {

class PhysicalIncrementalTest : public MariaDbTestSuite {};

void insert_rows(const MariaDbServer& server, int first, int last) {
  server.execute("INSERT INTO chain.t (id, payload) SELECT seq, REPEAT('x', 200) FROM chain.seq_" +
                 std::to_string(first) + "_to_" + std::to_string(last));
}

TEST_F(PhysicalIncrementalTest, FullPlusTwoIncrementalsRestoreToTheLastState) {
  PhysicalWorkspace workspace(server());
  server().execute("DROP DATABASE IF EXISTS chain");
  server().execute("CREATE DATABASE chain");
  server().execute("CREATE TABLE chain.t (id INT PRIMARY KEY, payload TEXT) ENGINE=InnoDB");
  insert_rows(server(), 1, 5000);
  auto full = workspace.dbkeep_json({"backup"});
  std::string full_id = full["backups"][0]["id"];

  insert_rows(server(), 5001, 6000);
  server().execute("UPDATE chain.t SET payload = 'changed' WHERE id <= 10");
  auto first = workspace.dbkeep_json({"backup", "--incremental"});
  std::string first_id = first["backups"][0]["id"];

  insert_rows(server(), 6001, 6500);
  server().execute("DELETE FROM chain.t WHERE id BETWEEN 11 AND 20");
  auto second = workspace.dbkeep_json({"backup", "--incremental"});
  std::string second_id = second["backups"][0]["id"];

  auto full_manifest = workspace.dbkeep_json({"show", full_id});
  auto first_manifest = workspace.dbkeep_json({"show", first_id});
  auto second_manifest = workspace.dbkeep_json({"show", second_id});
  EXPECT_FALSE(full_manifest.contains("depends_on"));
  EXPECT_EQ(first_manifest["depends_on"], full_id);
  EXPECT_EQ(second_manifest["depends_on"], first_id);
  EXPECT_EQ(second_manifest["facts"]["backup_type"], "incremental");
  EXPECT_EQ(first_manifest["facts"]["from_lsn"], full_manifest["facts"]["to_lsn"]);
  EXPECT_EQ(second_manifest["facts"]["from_lsn"], first_manifest["facts"]["to_lsn"]);
  // An incremental holds only changed pages: far smaller than the full backup.
  EXPECT_LT(second_manifest["files"][0]["size"].get<std::uint64_t>(),
            full_manifest["files"][0]["size"].get<std::uint64_t>());

  auto datadir = workspace.dir() / "restored";
  auto restore = workspace.dbkeep_json({"restore", second_id, "--datadir", datadir.string()});
  EXPECT_EQ(restore["chain"], (nlohmann::json{full_id, first_id, second_id}));
  auto restored = RestoredMariaDb::start(datadir, workspace.dir() / "run");
  ASSERT_TRUE(restored) << restored.error().message;
  auto connection = (*restored)->connect();
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->query_single_value("SELECT COUNT(*) FROM chain.t").value(), "6490");
  EXPECT_EQ(connection->query_single_value("SELECT MAX(id) FROM chain.t").value(), "6500");
  EXPECT_EQ(connection->query_single_value("SELECT COUNT(*) FROM chain.t WHERE payload = 'changed'")
                .value(),
            "10");
  auto check = connection->query("CHECK TABLE chain.t");
  ASSERT_TRUE(check) << check.error().message;
  EXPECT_EQ(check->value(0, "Msg_text"), "OK");
}

TEST_F(PhysicalIncrementalTest, RestoreRefusesANonEmptyDirectoryUnlessForcedAndKeepsTheOldOne) {
  PhysicalWorkspace workspace(server());
  std::string id = workspace.dbkeep_json({"backup"})["backups"][0]["id"];
  auto datadir = workspace.dir() / "target";
  std::filesystem::create_directories(datadir);
  std::ofstream(datadir / "precious") << "keep me";

  auto refused = workspace.dbkeep({"restore", id, "--datadir", datadir.string()});
  EXPECT_EQ(refused.exit_code, 2) << refused.stderr_text;
  EXPECT_NE(refused.stderr_text.find("--force"), std::string::npos) << refused.stderr_text;
  EXPECT_TRUE(std::filesystem::exists(datadir / "precious"));
  EXPECT_FALSE(std::filesystem::exists(datadir / "ibdata1"));

  auto forced = workspace.dbkeep_json({"restore", id, "--datadir", datadir.string(), "--force"});
  std::filesystem::path kept = forced["previous_kept_as"].get<std::string>();
  EXPECT_NE(kept.filename().string().find("target.before-restore-"), std::string::npos) << kept;
  EXPECT_TRUE(std::filesystem::exists(kept / "precious"));
  EXPECT_TRUE(std::filesystem::exists(datadir / "ibdata1"));
  EXPECT_FALSE(std::filesystem::exists(datadir / "precious"));
}

}  // namespace
}  // namespace dbkeep::test
