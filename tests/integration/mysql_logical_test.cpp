// The logical method end to end through the dbkeep binary, on two real MariaDB servers: dump
// the source, load into the target, and compare what mariadb-dump and CHECKSUM TABLE see.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/bank_writer.hpp"
#include "support/logical_compare.hpp"
#include "support/mariadb_pair_suite.hpp"
#include "support/run_dbkeep.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

class MysqlLogicalTest : public MariaDbPairSuite {
 protected:
  // A config with one logical set over the source server; `extra` goes into [set.logical].
  std::filesystem::path write_config(const std::string& extra = "") {
    auto path = dir_.path() / "dbkeep.toml";
    write_logical_config(path, dir_.path(), "db", "workers = 3\n" + extra);
    return path;
  }

  // Runs a backup of set "db"; returns its id ("" and a test failure when it failed).
  std::string backup(const std::filesystem::path& config) {
    auto run = run_dbkeep({"--config", config.string(), "--json", "backup", "--set", "db"});
    EXPECT_EQ(run.exit_code, 0) << run.stderr_text << run.stdout_text;
    if (run.exit_code != 0) return "";
    auto document = json_of(run);
    return document["backups"][0]["id"].get<std::string>();
  }

  DbkeepRun restore(const std::filesystem::path& config, const std::string& id,
                    std::vector<std::string> extra = {},
                    const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> args{
        "--config", config.string(),           "restore", id, "--to-server",
        "--socket", target().socket().string()};
    if (env.empty()) args.insert(args.end(), {"--user", "root"});
    args.insert(args.end(), extra.begin(), extra.end());
    return run_dbkeep(args, env);
  }

  core::TempDir dir_ = make_temp_dir();
};

TEST_F(MysqlLogicalTest, RoundTripKeepsEveryTypeAndObjectExactly) {
  load_with_client(source(),
                   std::filesystem::path(DBKEEP_SOURCE_DIR) / "tests/data/logical_round_trip.sql");
  // Small chunks so `big` is split across workers.
  auto config = write_config("chunk_size = \"256KiB\"\n");
  std::string id = backup(config);
  ASSERT_FALSE(id.empty());

  auto shown = run_dbkeep({"--config", config.string(), "--json", "show", id});
  auto manifest = json_of(shown);
  EXPECT_GE(manifest["facts"]["lock_held_ms"].get<int>(), 1);
  // `big` by its primary key; `by_unique` and `composite_pk` by a UNIQUE NOT NULL integer key.
  for (const std::string table : {"big", "by_unique", "composite_pk"}) {
    int chunks = 0;
    std::uint64_t rows = 0;
    for (const auto& file : manifest["files"]) {
      if (file["attributes"].value("table", "") == table &&
          file["attributes"].value("kind", "") == "table-data") {
        ++chunks;
        rows += file["attributes"]["rows"].get<std::uint64_t>();
      }
    }
    EXPECT_GT(chunks, 2) << table << " should be split into several chunks";
    EXPECT_EQ(rows, 30000U) << table;
  }
  EXPECT_TRUE(contains(read_file(dir_.path() / "dbkeep.log"), "legacy"))
      << "MyISAM/Aria tables must be named in a warning";

  auto loaded = restore(config, id);
  ASSERT_EQ(loaded.exit_code, 0) << loaded.stderr_text;
  // `generated`, `big`, `indexed`, `by_unique` (its plain key; the unique one stays, as the table
  // has no primary key) and `composite_pk` get secondary indexes after the data; `child`
  // (foreign key) keeps them.
  EXPECT_TRUE(contains(loaded.stderr_text, "building the secondary indexes of 5 tables"))
      << loaded.stderr_text;

  const std::string source_dump = logical_dump_of(source(), "rt");
  const std::string target_dump = logical_dump_of(target(), "rt");
  EXPECT_TRUE(source_dump == target_dump) << first_difference(source_dump, target_dump);
  EXPECT_EQ(table_checksums(source(), "rt"), table_checksums(target(), "rt"));
  EXPECT_EQ(target().query_value("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE "
                                 "TABLE_SCHEMA = 'rt' AND TABLE_NAME = 'numbers'"),
            "1000");
  EXPECT_EQ(target().query_value("SELECT secret FROM rt.`generated` WHERE id = 1"), "shh");
  EXPECT_EQ(target().query_value("SELECT rt.add_one(41)"), "42");
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM rt.a_view_on_view"), "2");

  // Refused a second time: the tables exist now, and nothing is changed.
  target().execute("INSERT INTO rt.parent VALUES (99, 'marker')");
  auto again = restore(config, id);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(contains(again.stderr_text, "already has")) << again.stderr_text;
  EXPECT_TRUE(contains(again.stderr_text, "--drop-existing")) << again.stderr_text;
  EXPECT_EQ(target().query_value("SELECT name FROM rt.parent WHERE id = 99"), "marker");

  auto replaced = restore(config, id, {"--drop-existing"});
  ASSERT_EQ(replaced.exit_code, 0) << replaced.stderr_text;
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM rt.parent WHERE id = 99"), "0");
  EXPECT_EQ(table_checksums(source(), "rt"), table_checksums(target(), "rt"));

  // Renamed beside the original: same data under another schema name.
  auto renamed = restore(config, id, {"--rename-schema", "rt=rt_copy"});
  ASSERT_EQ(renamed.exit_code, 0) << renamed.stderr_text;
  EXPECT_EQ(table_checksums(source(), "rt"), table_checksums(target(), "rt_copy"));
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM rt_copy.v_join"), "3");
}

TEST_F(MysqlLogicalTest, BankTotalsAddUpAfterLoadingADumpTakenUnderWriteLoad) {
  BankOptions options;
  options.database = "bank";
  options.accounts_per_table = 2000;
  options.writer_threads = 2;
  BankWriter bank(source().root_options(), options);
  ASSERT_TRUE(bank.create_tables());
  ASSERT_TRUE(bank.start());
  auto config = write_config("chunk_size = \"16KiB\"\ninclude = [\"bank\"]\n");
  std::string id = backup(config);
  bank.stop();
  ASSERT_FALSE(id.empty());
  EXPECT_GT(bank.commits(), 0U);

  auto loaded = restore(config, id, {"--rename-schema", "bank=bank_restored"});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.stderr_text;
  auto connection = target().connect_root();
  ASSERT_TRUE(connection);
  auto total = BankWriter::total(*connection, "bank_restored");
  ASSERT_TRUE(total) << total.error().message;
  EXPECT_EQ(*total, bank.expected_total());
}

TEST_F(MysqlLogicalTest, WrongPasswordIsAClearErrorAndLeaksNothing) {
  source().execute("CREATE DATABASE IF NOT EXISTS small");
  source().execute("CREATE TABLE IF NOT EXISTS small.t (id INT PRIMARY KEY)");
  auto config = write_config("include = [\"small\"]\n");
  std::string id = backup(config);
  ASSERT_FALSE(id.empty());
  target().create_user("loader", "right-password");

  auto run = restore(config, id, {"--user", "loader"}, {{"MYSQL_PWD", "wrong-password-123"}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(contains(run.stderr_text, "access denied")) << run.stderr_text;
  EXPECT_FALSE(contains(run.stderr_text + run.stdout_text, "wrong-password-123"));
  EXPECT_FALSE(
      target().query_value("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE "
                           "SCHEMA_NAME = 'small'"));

  auto on_argv = restore(config, id, {"--user", "loader", "--password"});
  EXPECT_EQ(on_argv.exit_code, 2) << on_argv.stderr_text;
}

// --password-file is read by the one secret-file reader: a private file loads, its one trailing
// newline is not part of the password; the same file readable by others is refused.
TEST_F(MysqlLogicalTest, PasswordFileFollowsTheSecretFileRule) {
  source().execute("CREATE DATABASE IF NOT EXISTS pwfile");
  source().execute("CREATE TABLE IF NOT EXISTS pwfile.t (id INT PRIMARY KEY)");
  source().execute("INSERT IGNORE INTO pwfile.t VALUES (1), (2)");
  auto config = write_config("include = [\"pwfile\"]\n");
  std::string id = backup(config);
  ASSERT_FALSE(id.empty());
  target().create_user("pwloader", "file-password-42");
  target().execute("GRANT ALL ON pwfile.* TO 'pwloader'@'localhost'");
  const auto password_file = dir_.path() / "loader.pw";
  std::ofstream(password_file) << "file-password-42\n";
  ::chmod(password_file.c_str(), 0644);
  // MYSQL_PWD is set (and wrong) to show that the file wins; it also keeps `--user root` away.
  const std::map<std::string, std::string> env = {{"MYSQL_PWD", "not-this-one"}};
  const std::vector<std::string> flags = {"--user", "pwloader", "--password-file",
                                          password_file.string()};
  auto refused = restore(config, id, flags, env);
  EXPECT_EQ(refused.exit_code, 2) << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, "chmod 600")) << refused.stderr_text;

  ::chmod(password_file.c_str(), 0600);
  auto loaded = restore(config, id, flags, env);
  EXPECT_EQ(loaded.exit_code, 0) << loaded.stderr_text;
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM pwfile.t"), "2");
}

TEST_F(MysqlLogicalTest, UnknownTargetSchemaRenameAndMissingServerFailCleanly) {
  auto config = write_config("include = [\"nothing_here\"]\n");
  std::string id = backup(config);
  ASSERT_FALSE(id.empty());
  auto bad_rename = restore(config, id, {"--rename-schema", "noequals"});
  EXPECT_EQ(bad_rename.exit_code, 2);
  auto run = run_dbkeep({"--config", config.string(), "restore", id, "--to-server", "--socket",
                         (dir_.path() / "no.sock").string(), "--user", "root"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(contains(run.stderr_text, "cannot connect")) << run.stderr_text;
}

}  // namespace
}  // namespace dbkeep::test
