// `dbkeep verify --restore-test` on SQLite backups, through the real binary.

#include <gtest/gtest.h>

#include <fstream>

#include "dbkeep/core/sha256.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

TEST(SqliteRestoreDrillTest, GoodBackupPassesAndTheResultIsRecorded) {
  SqliteWorkspace workspace;
  workspace.fill(300, 100, /*wal=*/true);
  workspace.sql("CREATE TABLE other (x)");
  workspace.sql("INSERT INTO other VALUES (1), (2)");
  std::string id = workspace.dbkeep_json({"backup"})["backups"][0]["id"];

  auto verify = workspace.dbkeep_json({"verify", "--latest", "--restore-test"});
  EXPECT_EQ(verify["ok"], true);
  auto drill = verify["results"][0]["restore_test"];
  EXPECT_EQ(drill["ok"], true);
  EXPECT_EQ(drill["tables_checked"], 2);
  EXPECT_EQ(drill["rows_checked"], 302);

  auto listing = workspace.dbkeep_json({"list"});
  EXPECT_EQ(listing["backups"][0]["last_verified"]["ok"], true);
  auto shown = workspace.dbkeep({"show", id});
  EXPECT_EQ(listing["backups"][0]["last_verified"]["kind"], "drill");
  EXPECT_TRUE(contains(shown.stdout_text, "last verified: drill 20")) << shown.stdout_text;
  EXPECT_TRUE(std::filesystem::is_empty(workspace.temp())) << "scratch files left behind";
}

// A plain `verify` (sizes, SHA-256, integrity_check) is a verification too: `list` and `show`
// say so and when, labelled apart from restore drills.
TEST(SqliteRestoreDrillTest, PlainVerifyCountsAsVerifiedInListAndShow) {
  SqliteWorkspace workspace;
  workspace.fill(50, 100, /*wal=*/true);
  std::string id = workspace.dbkeep_json({"backup"})["backups"][0]["id"];
  EXPECT_TRUE(contains(workspace.dbkeep({"list"}).stdout_text, "never"));

  EXPECT_EQ(workspace.dbkeep_json({"verify", id})["ok"], true);
  auto listing = workspace.dbkeep_json({"list"});
  auto verified = listing["backups"][0]["last_verified"];
  EXPECT_EQ(verified["kind"], "checksums") << listing.dump();
  EXPECT_EQ(verified["ok"], true) << listing.dump();
  EXPECT_EQ(verified["files_checked"], 1) << listing.dump();
  auto table = workspace.dbkeep({"list"}).stdout_text;
  EXPECT_TRUE(contains(table, "LAST VERIFIED")) << table;
  EXPECT_TRUE(contains(table, "checksums 20")) << table;
  EXPECT_FALSE(contains(table, "never")) << table;
  auto shown = workspace.dbkeep({"show", id});
  EXPECT_TRUE(contains(shown.stdout_text, "last verified: checksums 20")) << shown.stdout_text;
  EXPECT_EQ(workspace.dbkeep_json({"show", id})["last_verified"]["kind"], "checksums");
}

// A backup whose content is damaged although its checksums match (as when the source database
// itself was corrupt). For SQLite the plain verify already runs PRAGMA integrity_check (a
// foundation promise), so both verify and the restore test fail.
TEST(SqliteRestoreDrillTest, CorruptContentWithMatchingChecksumsIsCaught) {
  SqliteWorkspace workspace("compression = \"none\"\n");
  workspace.sql("PRAGMA journal_mode = DELETE");
  workspace.sql("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT, balance INTEGER)");
  workspace.sql("CREATE INDEX accounts_owner ON accounts (owner)");
  workspace.sql(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
      "INSERT INTO accounts (owner, balance) SELECT 'owner ' || i, i FROM n");
  std::string id = workspace.dbkeep_json({"backup"})["backups"][0]["id"];

  auto set_dir = workspace.repository() / "app" / id;
  auto stored = set_dir / "data" / "app.db";
  std::string content = read_file(stored);
  ASSERT_GT(content.size(), 40000U);
  // Scribble over the middle of a page deep inside the file (table or index b-tree pages).
  for (std::size_t i = 0; i < 200; ++i) content[4096 * 6 + 1000 + i] = '\x7f';
  std::ofstream(stored, std::ios::binary | std::ios::trunc) << content;

  auto manifest_path = set_dir / "manifest.json";
  auto manifest = nlohmann::json::parse(read_file(manifest_path));
  manifest["files"][0]["stored_sha256"] = core::sha256_hex(std::as_bytes(std::span(content)));
  std::ofstream(manifest_path, std::ios::trunc) << repo::seal_manifest(manifest);

  auto checksums = workspace.dbkeep({"verify", id});
  EXPECT_EQ(checksums.exit_code, 3) << "plain verify also runs integrity_check for SQLite";

  auto drill = workspace.dbkeep({"verify", id, "--restore-test"});
  EXPECT_EQ(drill.exit_code, 3) << drill.stderr_text;
  EXPECT_TRUE(contains(drill.stdout_text, "BAD")) << drill.stdout_text;
}

TEST(SqliteRestoreDrillTest, RowCountMismatchNamesTheTable) {
  SqliteWorkspace workspace("compression = \"none\"\n");
  workspace.fill(50, 10, /*wal=*/false);
  std::string id = workspace.dbkeep_json({"backup"})["backups"][0]["id"];
  auto manifest_path = workspace.repository() / "app" / id / "manifest.json";
  auto manifest = nlohmann::json::parse(read_file(manifest_path));
  manifest["facts"]["tables"]["t"] = 51;  // as if a row had been lost
  std::ofstream(manifest_path, std::ios::trunc) << repo::seal_manifest(manifest);

  auto drill = workspace.dbkeep({"verify", id, "--restore-test"});
  EXPECT_EQ(drill.exit_code, 3);
  EXPECT_TRUE(contains(drill.stdout_text, "table t: 50 rows after restore, 51 recorded"))
      << drill.stdout_text;
  auto listing = workspace.dbkeep_json({"list"});
  EXPECT_EQ(listing["backups"][0]["last_verified"]["ok"], false);
}

}  // namespace
}  // namespace dbkeep::test
