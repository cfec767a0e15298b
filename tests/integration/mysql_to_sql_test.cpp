// `restore ID --to-sql FILE|-` end to end: a logical backup of the round-trip schema
// (tests/data/logical_round_trip.sql: every type, NULLs, blobs, emoji, views on views, triggers,
// routines, events, foreign keys) written as one SQL script — plain, gzip and zstd, and piped
// from stdout — and loaded with the stock `mariadb` client into another server, must compare
// exactly as the loader's round trip does (mariadb-dump and CHECKSUM TABLE, logical_compare).

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/command_runner.hpp"
#include "support/backup_tamper.hpp"
#include "support/logical_compare.hpp"
#include "support/mariadb_pair_suite.hpp"
#include "support/run_dbkeep.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"
#include "support/tmpfs_mount.hpp"

namespace dbkeep::test {
namespace {

namespace fs = std::filesystem;

class MysqlToSqlTest : public MariaDbPairSuite {
 public:
  static void SetUpTestSuite() {
    MariaDbPairSuite::SetUpTestSuite();
    if (!started()) return;
    load_with_client(source(), fs::path(DBKEEP_SOURCE_DIR) / "tests/data/logical_round_trip.sql");
    // A schema whose objects come before rt's and whose view uses one of rt's views.
    source().execute("CREATE DATABASE a_reports");
    source().execute(
        "CREATE VIEW a_reports.shouts AS SELECT shout FROM rt.a_view_on_view WHERE id > 0");
    source().execute("CREATE DATABASE small");
    source().execute("CREATE TABLE small.t (id INT PRIMARY KEY, v VARCHAR(20))");
    source().execute("INSERT INTO small.t SELECT seq, CONCAT('row ', seq) FROM small.seq_1_to_100");
  }

 protected:
  // A config with logical set `name` over the source server; `extra` goes into [set.logical].
  fs::path config_for(const std::string& name, const std::string& extra) {
    auto path = dir_.path() / (name + ".toml");
    write_logical_config(path, dir_.path(), name, "workers = 2\n" + extra);
    return path;
  }

  // Backs up set `name`; returns its id ("" and a test failure when it failed).
  std::string backup(const fs::path& config, const std::string& name) {
    auto run = run_dbkeep({"--config", config.string(), "--json", "backup", "--set", name});
    EXPECT_EQ(run.exit_code, 0) << describe(run);
    if (run.exit_code != 0) return "";
    return json_of(run)["backups"][0]["id"].get<std::string>();
  }

  DbkeepRun to_sql(const fs::path& config, const std::string& id, const std::string& destination,
                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--config", config.string(), "restore",
                                  id,         "--to-sql",      destination};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_dbkeep(args);
  }

  // Names in `directory` other than `keep`: what a run left behind.
  static std::vector<std::string> other_files(const fs::path& directory, const fs::path& keep) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) {
      if (entry.path() != keep) names.push_back(entry.path().filename().string());
    }
    return names;
  }

  // The round-trip schema `rt` on the target is exactly the source's.
  static void expect_same_rt(const std::string& target_schema = "rt") {
    if (target_schema == "rt") {
      const std::string source_dump = logical_dump_of(source(), "rt");
      const std::string target_dump = logical_dump_of(target(), "rt");
      EXPECT_TRUE(source_dump == target_dump) << first_difference(source_dump, target_dump);
    }
    EXPECT_EQ(table_checksums(source(), "rt"), table_checksums(target(), target_schema));
    EXPECT_EQ(target().query_value("SELECT `" + target_schema + "`.add_one(41)"), "42");
    EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM `" + target_schema + "`.a_view_on_view"),
              "2");
    EXPECT_EQ(target().query_value("SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE "
                                   "TABLE_SCHEMA = '" +
                                   target_schema + "' AND TABLE_NAME = 'numbers'"),
              "1000");
  }

  core::TempDir dir_ = make_temp_dir();
};

TEST_F(MysqlToSqlTest, PlainGzipAndZstdScriptsLoadExactlyWithTheStockClient) {
  // Small chunks: `big`, `by_unique` and `composite_pk` come in several files each.
  auto config = config_for("db", "chunk_size = \"256KiB\"\ninclude = [\"rt\", \"a_reports\"]\n");
  std::string id = backup(config, "db");
  ASSERT_FALSE(id.empty());
  core::SystemCommandRunner runner;

  const std::vector<std::pair<std::string, std::vector<std::string>>> formats = {
      {"rt.sql", {"cat"}}, {"rt.sql.gz", {"gzip", "-dc"}}, {"rt.sql.zst", {"zstd", "-qdc"}}};
  for (const auto& [name, decompress] : formats) {
    SCOPED_TRACE(name);
    const fs::path out_dir = dir_.path() / ("out-" + name);
    fs::create_directories(out_dir);
    const fs::path file = out_dir / name;
    // "latest" is this set's newest backup, the one just taken.
    auto run = to_sql(config, name == "rt.sql" ? id : "latest", file.string(), {"--set", "db"});
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_TRUE(contains(run.stdout_text, "wrote db/" + id)) << run.stdout_text;
    EXPECT_TRUE(other_files(out_dir, file).empty()) << "temporary file left behind";
    struct stat info {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600U);

    auto argv = decompress;
    argv.push_back(file.string());
    auto plain = core::run_checked(runner, {argv});
    ASSERT_TRUE(plain) << plain.error().message;
    const std::string& script = plain->stdout_text;
    EXPECT_TRUE(script.starts_with("-- SQL script written by dbkeep ")) << script.substr(0, 200);
    EXPECT_TRUE(contains(script, "from logical backup db/" + id));
    EXPECT_TRUE(contains(script, "-- binlog position: "));
    EXPECT_TRUE(contains(script, "SET NAMES utf8mb4;"));
    EXPECT_TRUE(contains(script, "FOREIGN_KEY_CHECKS=0"));
    EXPECT_TRUE(script.ends_with("-- dbkeep: end of script\n"));
    if (name != "rt.sql") {
      EXPECT_LT(fs::file_size(file), script.size() / 2) << "not compressed";
    }

    target().execute("DROP DATABASE IF EXISTS rt");
    target().execute("DROP DATABASE IF EXISTS a_reports");
    const fs::path plain_file = out_dir / "plain.sql";
    std::ofstream(plain_file, std::ios::binary) << script;
    load_with_client(target(), plain_file);
    expect_same_rt();
    EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM a_reports.shouts"), "2");
  }
}

TEST_F(MysqlToSqlTest, StdoutPipesIntoTheClientWithARenamedSchema) {
  auto config = config_for("piped", "include = [\"rt\"]\n");
  std::string id = backup(config, "piped");
  ASSERT_FALSE(id.empty());
  target().execute("DROP DATABASE IF EXISTS rt_piped");
  const std::string pipeline = "set -o pipefail; '" + std::string(DBKEEP_BINARY) + "' --config '" +
                               config.string() + "' restore " + id +
                               " --to-sql - --rename-schema rt=rt_piped | mariadb --no-defaults "
                               "--socket '" +
                               target().socket().string() + "' -uroot";
  core::SystemCommandRunner runner;
  auto piped = core::run_checked(runner, {{"bash", "-c", pipeline}});
  ASSERT_TRUE(piped) << piped.error().message;
  EXPECT_TRUE(contains(piped->stderr_text, "wrote piped/" + id)) << piped->stderr_text;
  expect_same_rt("rt_piped");

  // Nothing but the script on stdout.
  auto run = to_sql(config, id, "-");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_TRUE(run.stdout_text.starts_with("-- SQL script written by dbkeep "));
  EXPECT_TRUE(run.stdout_text.ends_with("-- dbkeep: end of script\n"));
  EXPECT_TRUE(contains(run.stderr_text, "wrote piped/" + id)) << run.stderr_text;
  auto json = run_dbkeep({"--config", config.string(), "--json", "restore", id, "--to-sql", "-"});
  EXPECT_EQ(json.exit_code, 2) << describe(json);
}

TEST_F(MysqlToSqlTest, AnExistingFileIsRefusedUnlessForce) {
  auto config = config_for("small", "include = [\"small\"]\n");
  std::string id = backup(config, "small");
  ASSERT_FALSE(id.empty());
  const fs::path file = dir_.path() / "small.sql";
  std::ofstream(file) << "keep me\n";
  auto refused = to_sql(config, id, file.string());
  EXPECT_EQ(refused.exit_code, 2) << describe(refused);
  EXPECT_TRUE(contains(refused.stderr_text, "already exists")) << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, "--force")) << refused.stderr_text;
  EXPECT_EQ(read_file(file), "keep me\n");

  auto forced = to_sql(config, id, file.string(), {"--force"});
  ASSERT_EQ(forced.exit_code, 0) << describe(forced);
  EXPECT_TRUE(contains(read_file(file), "INSERT INTO `t`"));
}

TEST_F(MysqlToSqlTest, ACorruptChunkIsAClearErrorAndLeavesNoFile) {
  auto config = config_for("broken", "include = [\"small\"]\n");
  std::string id = backup(config, "broken");
  ASSERT_FALSE(id.empty());
  const fs::path chunk = dir_.path() / "repo/broken" / id / "data/small/t.00001.sql.zst";
  ASSERT_TRUE(fs::exists(chunk)) << chunk;
  ASSERT_TRUE(flip_bytes(chunk, fs::file_size(chunk) / 2, 4));

  const fs::path out_dir = dir_.path() / "broken-out";
  fs::create_directories(out_dir);
  for (const std::string name : {"small.sql", "small.sql.zst"}) {
    auto run = to_sql(config, id, (out_dir / name).string());
    EXPECT_EQ(run.exit_code, 3) << describe(run);
    EXPECT_TRUE(contains(run.stderr_text, "small/t.00001.sql")) << run.stderr_text;
    EXPECT_TRUE(fs::is_empty(out_dir)) << "a failed run left a file";
  }

  // On stdout the script ends where it failed, and the damaged chunk is never committed.
  auto piped = to_sql(config, id, "-");
  EXPECT_EQ(piped.exit_code, 3) << piped.stderr_text;
  const std::string& script = piped.stdout_text;
  EXPECT_TRUE(script.ends_with("-- dbkeep: EXPORT FAILED HERE, the script is incomplete\n"));
  EXPECT_GT(script.rfind("START TRANSACTION;"), script.rfind("COMMIT;") + 1)
      << "the damaged chunk's transaction must stay open";
}

// Ctrl-C while the script is written, and a disk that fills up: a clear error, and neither FILE
// nor its temporary file is left.
TEST_F(MysqlToSqlTest, InterruptedOrOutOfSpaceRunsLeaveNothing) {
  source().execute("CREATE DATABASE IF NOT EXISTS wide");
  source().execute("CREATE TABLE IF NOT EXISTS wide.t (id INT PRIMARY KEY, pad CHAR(200))");
  source().execute(
      "INSERT IGNORE INTO wide.t SELECT seq, REPEAT(CHAR(65 + seq % 26), 200) FROM "
      "wide.seq_1_to_200000");
  auto config = config_for("wide", "include = [\"wide\"]\n");
  std::string id = backup(config, "wide");
  ASSERT_FALSE(id.empty());

  const fs::path out_dir = dir_.path() / "interrupted";
  fs::create_directories(out_dir);
  const fs::path file = out_dir / "wide.sql.zst";
  auto child = core::ChildProcess::spawn({.argv = {DBKEEP_BINARY, "--config", config.string(),
                                                   "restore", id, "--to-sql", file.string()},
                                          .pipe_stderr = true});
  ASSERT_TRUE(child) << child.error().message;
  // Signal as soon as the temporary file exists: the export is under way.
  bool writing = false;
  for (int i = 0; i < 20000 && !writing; ++i) {
    writing = !fs::is_empty(out_dir);
    if (!writing) ::usleep(500);
  }
  ASSERT_TRUE(writing) << "the export never started writing";
  ::kill(child->pid(), SIGINT);
  auto status = child->wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, 0);
  EXPECT_EQ(status->exit_code, 1) << "a Ctrl-C'd run must fail (or it finished first)";
  EXPECT_TRUE(fs::is_empty(out_dir)) << "an interrupted run left a file";

  TmpfsMount small_disk(dir_.path() / "small-disk", "1m");
  if (!small_disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  auto full = to_sql(config, id, (dir_.path() / "small-disk/wide.sql").string());
  EXPECT_EQ(full.exit_code, 1) << describe(full);
  EXPECT_TRUE(contains(full.stderr_text, "disk full")) << full.stderr_text;
  EXPECT_TRUE(fs::is_empty(dir_.path() / "small-disk")) << "a failed run left a file";
}

// As the loader: users.sql only with --with-users, last, its grants naming the loaded tables.
TEST_F(MysqlToSqlTest, UsersAndGrantsOnlyWithWithUsers) {
  source().execute("CREATE USER 'reporter'@'localhost' IDENTIFIED BY 'report-pw-1'");
  source().execute("GRANT SELECT ON small.t TO 'reporter'@'localhost'");
  auto config = config_for("users", "include = [\"small\"]\ninclude_users = true\n");
  std::string id = backup(config, "users");
  ASSERT_FALSE(id.empty());

  const fs::path without = dir_.path() / "without.sql";
  auto plain = to_sql(config, id, without.string());
  ASSERT_EQ(plain.exit_code, 0) << describe(plain);
  EXPECT_TRUE(contains(plain.stderr_text, "not written without --with-users")) << plain.stderr_text;
  EXPECT_FALSE(contains(read_file(without), "reporter"));

  const fs::path with = dir_.path() / "with.sql.gz";
  auto users = to_sql(config, id, with.string(), {"--with-users", "--rename-schema", "small=u"});
  ASSERT_EQ(users.exit_code, 0) << describe(users);
  EXPECT_FALSE(contains(users.stderr_text + users.stdout_text, "report-pw-1"));
  core::SystemCommandRunner runner;
  auto script = core::run_checked(runner, {{"gzip", "-dc", with.string()}});
  ASSERT_TRUE(script);
  const fs::path unpacked = dir_.path() / "with.sql";
  std::ofstream(unpacked, std::ios::binary) << script->stdout_text;
  target().execute("DROP USER IF EXISTS 'reporter'@'localhost'");
  target().execute("CREATE DATABASE IF NOT EXISTS small");
  target().execute("CREATE TABLE IF NOT EXISTS small.t (id INT PRIMARY KEY, v VARCHAR(20))");
  load_with_client(target(), unpacked);
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM u.t"), "100");
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM mysql.user WHERE User = 'reporter'"), "1");
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM mysql.tables_priv WHERE User = "
                                 "'reporter' AND Db = 'small' AND Table_name = 't'"),
            "1");
}

TEST_F(MysqlToSqlTest, NonLogicalBackupsAreRefusedNamingTheirRestore) {
  SqliteWorkspace workspace;
  workspace.fill(10, 16, true);
  auto backed_up = workspace.dbkeep_json({"backup"});
  const std::string id = backed_up["backups"][0]["id"].get<std::string>();
  auto run = workspace.dbkeep({"restore", id, "--to-sql", (workspace.dir() / "x.sql").string()});
  EXPECT_EQ(run.exit_code, 2) << describe(run);
  EXPECT_TRUE(contains(run.stderr_text, "sqlite online backup")) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "--sqlite-path FILE")) << run.stderr_text;
  EXPECT_FALSE(fs::exists(workspace.dir() / "x.sql"));
}

}  // namespace
}  // namespace dbkeep::test
