// The logical method end to end through the dbkeep binary, on two real MariaDB servers: dump
// the source, load into the target, and compare what mariadb-dump and CHECKSUM TABLE see.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dbkeep/core/command_runner.hpp"
#include "support/bank_writer.hpp"
#include "support/mariadb_server.hpp"
#include "support/run_dbkeep.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

// The first line where two dumps differ, for a readable failure (dumps are megabytes).
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream left(a), right(b);
  std::string l, r;
  for (int line = 1;; ++line) {
    bool more_left = static_cast<bool>(std::getline(left, l));
    bool more_right = static_cast<bool>(std::getline(right, r));
    if (!more_left && !more_right) return "identical";
    if (!more_left || !more_right || l != r) {
      return "line " + std::to_string(line) + ":\n  source: " + l.substr(0, 400) +
             "\n  target: " + r.substr(0, 400);
    }
  }
}

class MysqlLogicalTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    DBKEEP_SKIP_WITHOUT_MARIADB();
    auto source = MariaDbServer::start();
    auto target = MariaDbServer::start();
    if (!source || !target) {
      error() = !source ? source.error().message : target.error().message;
      return;
    }
    source_slot() = std::move(*source);
    target_slot() = std::move(*target);
  }
  static void TearDownTestSuite() {
    source_slot().reset();
    target_slot().reset();
  }

 protected:
  void SetUp() override {
    DBKEEP_SKIP_WITHOUT_MARIADB();
    ASSERT_TRUE(source_slot() && target_slot()) << "MariaDB did not start: " << error();
  }

  static MariaDbServer& source() { return *source_slot(); }
  static MariaDbServer& target() { return *target_slot(); }

  // A config with one logical set over the source server; `extra` goes into [set.logical].
  std::filesystem::path write_config(const std::string& extra = "") {
    auto path = dir_.path() / "dbkeep.toml";
    std::ofstream(path) << "[repository]\npath = \"" << (dir_.path() / "repo").string()
                        << "\"\n[log]\nfile = \"" << (dir_.path() / "dbkeep.log").string()
                        << "\"\n[[set]]\nname = \"db\"\nsource = \"mysql\"\nmethod = \"logical\"\n"
                        << "compression = \"zstd\"\n[set.mysql]\nsocket = \""
                        << source().socket().string() << "\"\nuser = \"root\"\n"
                        << "[set.logical]\nworkers = 3\n"
                        << extra;
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

  static std::string mariadb_dump(const MariaDbServer& server, const std::string& schema) {
    core::SystemCommandRunner runner;
    auto result = core::run_checked(
        runner, {{"mariadb-dump", "--no-defaults", "--socket", server.socket().string(), "-uroot",
                  "--skip-dump-date", "--order-by-primary", "--hex-blob", "--routines",
                  "--triggers", "--events", "--databases", schema}});
    if (!result) throw std::runtime_error(result.error().message);
    return result->stdout_text;
  }

  static std::map<std::string, std::string> checksums(const MariaDbServer& server,
                                                      const std::string& schema) {
    std::map<std::string, std::string> out;
    auto tables = server.query(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND "
        "TABLE_SCHEMA = '" +
        schema + "'");
    for (const auto& row : tables.rows) {
      std::string name = *row[0];
      std::string quoted;
      for (char c : name) quoted += c == '`' ? std::string("``") : std::string(1, c);
      auto checksum = server.query("CHECKSUM TABLE `" + schema + "`.`" + quoted + "` EXTENDED");
      out[name] = checksum.rows.at(0).at(1).value_or("NULL");
    }
    return out;
  }

  static void load_script(const MariaDbServer& server, const std::filesystem::path& script) {
    core::SystemCommandRunner runner;
    auto result = core::run_checked(
        runner, {{"mariadb", "--no-defaults", "--socket", server.socket().string(), "-uroot"},
                 {},
                 read_file(script)});
    if (!result) throw std::runtime_error(result.error().message);
  }

  core::TempDir dir_ = make_temp_dir();

 private:
  static std::unique_ptr<MariaDbServer>& source_slot() {
    static std::unique_ptr<MariaDbServer> slot;
    return slot;
  }
  static std::unique_ptr<MariaDbServer>& target_slot() {
    static std::unique_ptr<MariaDbServer> slot;
    return slot;
  }
  static std::string& error() {
    static std::string text;
    return text;
  }
};

TEST_F(MysqlLogicalTest, RoundTripKeepsEveryTypeAndObjectExactly) {
  load_script(source(),
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

  const std::string source_dump = mariadb_dump(source(), "rt");
  const std::string target_dump = mariadb_dump(target(), "rt");
  EXPECT_TRUE(source_dump == target_dump) << first_difference(source_dump, target_dump);
  EXPECT_EQ(checksums(source(), "rt"), checksums(target(), "rt"));
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
  EXPECT_EQ(checksums(source(), "rt"), checksums(target(), "rt"));

  // Renamed beside the original: same data under another schema name.
  auto renamed = restore(config, id, {"--rename-schema", "rt=rt_copy"});
  ASSERT_EQ(renamed.exit_code, 0) << renamed.stderr_text;
  EXPECT_EQ(checksums(source(), "rt"), checksums(target(), "rt_copy"));
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
