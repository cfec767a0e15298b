// Resuming an interrupted `restore --to-server` on a real MariaDB: the dbkeep binary is killed
// with SIGKILL part way through the data, then run again with --resume; every table must then
// equal the source (CHECKSUM TABLE, row counts): no chunk lost, none loaded twice. The window
// between a chunk's COMMIT and its record (which a kill rarely hits) and an index built but not
// recorded are recreated by hand, so those paths run on every test run.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/run_dbkeep.hpp"
#include "support/s3_server.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class MysqlLogicalResumeTest : public MariaDbTestSuite {
 protected:
  // `repository`: the lines of [repository] naming where it is (default: a local directory).
  std::filesystem::path write_config(const std::string& schema = "rs",
                                     const std::string& extra = "",
                                     const std::string& repository = "") {
    auto path = dir_.path() / "dbkeep.toml";
    std::ofstream(path) << "[repository]\n"
                        << (repository.empty()
                                ? "path = \"" + (dir_.path() / "repo").string() + "\"\n"
                                : repository)
                        << "state_dir = \"" << (dir_.path() / "state").string() << "\"\n"
                        << "[[set]]\nname = \"db\"\nsource = \"mysql\"\n"
                        << "method = \"logical\"\ncompression = \"zstd\"\n[set.mysql]\nsocket = \""
                        << server().socket().string() << "\"\nuser = \"root\"\n"
                        << "[set.logical]\nworkers = 2\nchunk_size = \"256KiB\"\n"
                        << "include = [\"" << schema << "\"]\n"
                        << extra;
    return path;
  }

  std::vector<std::string> restore_args(const std::string& id, const std::string& workers = "1",
                                        const std::string& rename = "rs=rs_copy") {
    return {"--config",
            config_.string(),
            "--json",
            "restore",
            id,
            "--to-server",
            "--socket",
            server().socket().string(),
            "--user",
            "root",
            "--workers",
            workers,
            "--rename-schema",
            rename};
  }

  std::filesystem::path progress_file() {
    auto directory = dir_.path() / "state" / "loads";
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ignored)) {
      if (entry.path().extension() == ".progress") return entry.path();
    }
    return {};
  }

  // Chunks recorded as committed, of `table` when given.
  static int recorded_chunks(const std::filesystem::path& progress, const std::string& table = "") {
    int chunks = 0;
    for (const auto& line : lines_of(progress)) {
      chunks += line.starts_with("chunk ") && contains(line, "/" + table) ? 1 : 0;
    }
    return chunks;
  }

  // The path of the last chunk of `table` recorded as committed, or "".
  static std::string last_recorded_chunk(const std::filesystem::path& progress,
                                         const std::string& table) {
    std::string found;
    for (const auto& line : lines_of(progress)) {
      if (line.starts_with("chunk ") && contains(line, "/" + table + ".0")) found = line.substr(6);
    }
    return found;
  }

  // Chunks whose transaction began and whose commit is not recorded: in flight (or in doubt).
  static int chunks_in_flight(const std::filesystem::path& progress) {
    std::set<std::string> begun;
    for (const auto& line : lines_of(progress)) {
      if (line.starts_with("begin ")) begun.insert(line.substr(6));
      if (line.starts_with("chunk ")) begun.erase(line.substr(6));
    }
    return static_cast<int>(begun.size());
  }

  // Table -> stored paths of its data chunks, from the manifest of backup `id`.
  std::map<std::string, std::vector<std::string>> data_chunks(const std::string& id) {
    std::map<std::string, std::vector<std::string>> chunks;
    auto shown = run_dbkeep({"--config", config_.string(), "--json", "show", id});
    const auto manifest = json_of(shown);
    for (const auto& file : manifest["files"]) {
      if (file["attributes"].value("kind", "") == "table-data") {
        chunks[file["attributes"]["table"].get<std::string>()].push_back(
            file["path"].get<std::string>());
      }
    }
    return chunks;
  }

  // Backs up schema rw (InnoDB tables split into several chunks, and a MyISAM one), loads it
  // with 3 workers, kills the load with SIGKILL while more than one chunk is in flight, resumes
  // with 3 workers, and checks every table equals the source.
  // Starts `dbkeep` with `args` (a restore) and kills it with SIGKILL as soon as `ready` holds
  // for its progress file, polled every `pause`; a load that ends first fails the test.
  void kill_load_when(const std::vector<std::string>& args, std::chrono::milliseconds pause,
                      const std::function<bool(const std::filesystem::path&)>& ready) {
    std::vector<std::string> argv{DBKEEP_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child = core::ChildProcess::spawn({.argv = argv, .pipe_stdout = true});
    ASSERT_TRUE(child) << child.error().message;
    bool killed = false;
    for (int i = 0; i < 12000 && !killed; ++i) {
      auto progress = progress_file();
      if (!progress.empty() && ready(progress)) {
        ASSERT_EQ(::kill(child->pid(), SIGKILL), 0);
        killed = true;
      } else {
        std::this_thread::sleep_for(pause);
      }
    }
    auto ended = child->wait();
    ASSERT_TRUE(ended);
    ASSERT_TRUE(killed) << "the load ended (" << ended->describe()
                        << ") before it could be interrupted";
    ASSERT_EQ(ended->signal, SIGKILL);
  }

  void kill_and_resume_with_workers(const std::string& repository) {
    server().execute("DROP DATABASE IF EXISTS rw");
    server().execute("DROP DATABASE IF EXISTS rw_copy");
    server().execute("CREATE DATABASE rw");
    const std::vector<std::string> tables{"t1", "t2", "t3", "m"};
    for (const auto& table : tables) {
      server().execute("CREATE TABLE rw." + table +
                       " (id INT PRIMARY KEY, v INT, pad VARCHAR(200), KEY k_v (v)) ENGINE=" +
                       (table == "m" ? "MyISAM" : "InnoDB"));
      server().execute("INSERT INTO rw." + table + " SELECT seq, seq % 311, REPEAT(MD5(seq + " +
                       std::to_string(table.size() * 7 + table.back()) +
                       "), 3) FROM rw.seq_1_to_40000");
      server().execute("ANALYZE TABLE rw." + table);
    }
    config_ = write_config("rw", "", repository);
    auto backup = run_dbkeep({"--config", config_.string(), "--json", "backup", "--set", "db"});
    ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
    const std::string id = json_of(backup)["backups"][0]["id"].get<std::string>();
    const auto chunks = data_chunks(id);
    std::size_t total = 0;
    for (const auto& table : tables) {
      ASSERT_TRUE(chunks.contains(table)) << table;
      ASSERT_GE(chunks.at(table).size(), 3U) << table << " must be split into several chunks";
      total += chunks.at(table).size();
    }

    kill_load_when(restore_args(id, "3", "rw=rw_copy"), std::chrono::milliseconds(2),
                   [](const std::filesystem::path& progress) {
                     return recorded_chunks(progress) >= 2 && chunks_in_flight(progress) >= 2;
                   });
    if (HasFatalFailure()) return;
    const auto progress = progress_file();
    ASSERT_FALSE(progress.empty()) << "no progress file left by the killed load";
    EXPECT_GE(chunks_in_flight(progress), 2) << "fewer than two chunks were in flight";
    ASSERT_LT(static_cast<std::size_t>(recorded_chunks(progress)), total)
        << "every chunk was loaded before the kill";
    // A kill rarely lands between a COMMIT and its record: put the last committed chunk of
    // every table back in doubt, so several committed chunks of different tables are settled
    // together with the ones that were really in flight.
    int innodb_in_doubt = 0;
    {
      std::ofstream append(progress, std::ios::app);
      for (const auto& table : tables) {
        const std::string last = last_recorded_chunk(progress, table);
        if (last.empty()) continue;
        append << "begin " << last << "\n";
        innodb_in_doubt += table == "m" ? 0 : 1;
      }
    }

    auto resume_args = restore_args(id, "3", "rw=rw_copy");
    resume_args.push_back("--resume");
    auto resumed = run_dbkeep(resume_args);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.stderr_text;
    EXPECT_TRUE(contains(resumed.stderr_text, "resuming")) << resumed.stderr_text;
    int settled = 0;
    for (std::size_t at = 0; (at = resumed.stderr_text.find("was loaded before the interruption",
                                                            at)) != std::string::npos;
         ++at) {
      ++settled;
    }
    EXPECT_GE(settled, innodb_in_doubt) << resumed.stderr_text;
    EXPECT_FALSE(std::filesystem::exists(progress)) << "progress file left after success";
    for (const auto& table : tables) {
      EXPECT_EQ(fingerprint("rw", table), fingerprint("rw_copy", table)) << table;
    }
  }

  std::string fingerprint(const std::string& schema, const std::string& table) {
    const std::string name = "`" + schema + "`.`" + table + "`";
    auto checksum = server().query("CHECKSUM TABLE " + name + " EXTENDED");
    if (checksum.rows.empty() || !checksum.rows.at(0).at(1)) return "missing";
    return *checksum.rows.at(0).at(1) + " rows " +
           server().query_value("SELECT COUNT(*) FROM " + name).value_or("?");
  }

  core::TempDir dir_ = make_temp_dir();
  std::filesystem::path config_;
};

TEST_F(MysqlLogicalResumeTest, KilledLoadResumesWithEveryRowExactlyOnce) {
  server().execute("CREATE DATABASE IF NOT EXISTS rs");
  server().execute(
      "CREATE TABLE rs.big (id INT PRIMARY KEY, v INT, pad VARCHAR(200), KEY k_v (v)) "
      "ENGINE=InnoDB");
  server().execute(
      "INSERT INTO rs.big SELECT seq, seq % 977, REPEAT(MD5(seq), 3) FROM "
      "rs.seq_1_to_200000");
  // No key: one chunk, and the largest file, so it loads first (largest first) and is done
  // before the kill.
  server().execute("CREATE TABLE rs.plain (a INT, b VARCHAR(200)) ENGINE=InnoDB");
  server().execute(
      "INSERT INTO rs.plain SELECT seq % 50, CONCAT(MD5(seq), MD5(seq * 7), MD5(seq * 13), "
      "MD5(seq * 31)) FROM rs.seq_1_to_30000");
  server().execute("CREATE TABLE rs.legacy (id INT PRIMARY KEY, pad VARCHAR(200)) ENGINE=MyISAM");
  server().execute("INSERT INTO rs.legacy SELECT seq, REPEAT(MD5(seq), 2) FROM rs.seq_1_to_40000");
  server().execute("ANALYZE TABLE rs.big, rs.plain, rs.legacy");  // DATA_LENGTH sizes the chunks
  config_ = write_config();
  auto backup = run_dbkeep({"--config", config_.string(), "--json", "backup", "--set", "db"});
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
  const std::string id = json_of(backup)["backups"][0]["id"].get<std::string>();
  auto chunks = data_chunks(id);
  ASSERT_GE(chunks["big"].size(), 3U) << "big must be split for the duplicate-key path";
  ASSERT_GE(chunks["legacy"].size(), 2U);
  ASSERT_EQ(chunks["plain"].size(), 1U);

  // Start a load and kill -9 it once chunks of both split tables are recorded.
  kill_load_when(
      restore_args(id), std::chrono::milliseconds(5), [](const std::filesystem::path& progress) {
        return recorded_chunks(progress, "big.") >= 2 && recorded_chunks(progress, "legacy.") >= 1;
      });
  ASSERT_FALSE(HasFatalFailure());

  const auto progress = progress_file();
  ASSERT_FALSE(progress.empty()) << "no progress file left by the killed load";
  struct stat info {};
  ASSERT_EQ(::stat(progress.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  const std::size_t total = chunks["big"].size() + chunks["legacy"].size() + 1;
  ASSERT_LT(static_cast<std::size_t>(recorded_chunks(progress)), total)
      << "every chunk was loaded before the kill";

  // Without --resume the interrupted load is named and nothing is changed.
  const std::string rows_before =
      server().query_value("SELECT COUNT(*) FROM rs_copy.big").value_or("?");
  auto refused = run_dbkeep(restore_args(id));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(contains(refused.stderr_text, "--resume")) << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stderr_text, "interrupted")) << refused.stderr_text;
  EXPECT_EQ(server().query_value("SELECT COUNT(*) FROM rs_copy.big").value_or("?"), rows_before);
  auto both = restore_args(id);
  both.insert(both.end(), {"--resume", "--drop-existing"});
  EXPECT_EQ(run_dbkeep(both).exit_code, 2);

  // The kill -9 may land between a COMMIT and its record: put committed chunks back in doubt
  // (an InnoDB chunk of a split table, a MyISAM one, the single chunk of a keyless table), and
  // build the deferred index as if its ALTER had finished unrecorded.
  const std::string big_in_doubt = last_recorded_chunk(progress, "big");
  {
    std::ofstream append(progress, std::ios::app);
    for (const std::string table : {"big", "legacy"}) {
      append << "begin " << last_recorded_chunk(progress, table) << "\n";
    }
    ASSERT_EQ(recorded_chunks(progress, "plain."), 1);
    append << "begin " << chunks["plain"].front() << "\n";
  }
  server().execute("ALTER TABLE rs_copy.big ADD KEY k_v (v)");

  auto resume_args = restore_args(id);
  resume_args.push_back("--resume");
  auto resumed = run_dbkeep(resume_args);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.stderr_text;
  EXPECT_TRUE(contains(resumed.stderr_text, "resuming")) << resumed.stderr_text;
  EXPECT_TRUE(contains(resumed.stderr_text, "emptying it")) << resumed.stderr_text;  // legacy
  EXPECT_TRUE(contains(resumed.stderr_text, "chunk " + big_in_doubt + " was loaded before"))
      << resumed.stderr_text;
  auto summary = json_of(resumed);
  EXPECT_GE(summary["chunks_resumed"].get<int>(), 1) << resumed.stdout_text;
  EXPECT_FALSE(std::filesystem::exists(progress)) << "progress file left after success";

  for (const std::string table : {"big", "plain", "legacy"}) {
    EXPECT_EQ(fingerprint("rs", table), fingerprint("rs_copy", table)) << table;
  }
  EXPECT_EQ(server().query_value("SELECT COUNT(DISTINCT INDEX_NAME) FROM "
                                 "information_schema.STATISTICS WHERE TABLE_SCHEMA = 'rs_copy' "
                                 "AND TABLE_NAME = 'big'"),
            "2");
}

TEST_F(MysqlLogicalResumeTest, KilledLoadWithSeveralWorkersResumes) {
  kill_and_resume_with_workers("");
}

// The same with the repository on an S3-compatible server: chunks are fetched over S3 on both
// runs, the progress file lives in the local state directory.
TEST_F(MysqlLogicalResumeTest, KilledLoadFromS3RepositoryResumes) {
  DBKEEP_SKIP_WITHOUT_S3();
  auto s3 = S3Server::start();
  ASSERT_TRUE(s3) << s3.error().message;
  for (const auto& [name, value] :
       {std::pair{"key_id", S3Server::access_key()}, std::pair{"secret", S3Server::secret_key()}}) {
    std::ofstream(dir_.path() / name) << value << "\n";
    std::filesystem::permissions(dir_.path() / name, std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);
  }
  kill_and_resume_with_workers(
      "url = \"s3://" + S3Server::bucket() + "/resume/db\"\nendpoint = \"" + (*s3)->endpoint() +
      "\"\naccess_key_id_file = \"" + (dir_.path() / "key_id").string() +
      "\"\nsecret_access_key_file = \"" + (dir_.path() / "secret").string() + "\"\n");
}

// Accounts, roles and grants with include_users = true, loaded back only with --with-users:
// into the same server once they are dropped, and into a fresh server.
TEST_F(MysqlLogicalResumeTest, UsersAndGrantsRoundTripOnlyWhenAsked) {
  server().execute("CREATE DATABASE IF NOT EXISTS ua");
  server().execute("CREATE TABLE IF NOT EXISTS ua.t (id INT PRIMARY KEY, secret INT)");
  server().execute("CREATE USER 'app'@'localhost' IDENTIFIED BY 'app-password-123'");
  server().execute("GRANT SELECT, INSERT ON ua.* TO 'app'@'localhost'");
  server().execute("CREATE USER 'reader'@'10.0.%' IDENTIFIED VIA unix_socket");
  server().execute("GRANT SELECT (id) ON ua.t TO 'reader'@'10.0.%'");
  server().execute("GRANT PROCESS ON *.* TO 'reader'@'10.0.%' WITH GRANT OPTION");
  // Roles: one with a table-level grant, granted to another with ADMIN OPTION; both granted
  // to accounts, one as app's default role.
  server().execute("CREATE ROLE r_audit");
  server().execute("GRANT SELECT, UPDATE (secret) ON ua.t TO r_audit");
  server().execute("CREATE ROLE `r ops`");
  server().execute("GRANT RELOAD ON *.* TO `r ops`");
  server().execute("GRANT r_audit TO `r ops` WITH ADMIN OPTION");
  server().execute("GRANT `r ops` TO 'app'@'localhost'");
  server().execute("GRANT r_audit TO 'reader'@'10.0.%' WITH ADMIN OPTION");
  server().execute("SET DEFAULT ROLE `r ops` FOR 'app'@'localhost'");
  auto described = [](const MariaDbServer& on) {
    std::string text;
    for (const std::string account : {"'app'@'localhost'", "'reader'@'10.0.%'"}) {
      text += on.query_value("SHOW CREATE USER " + account).value_or("missing") + "\n";
    }
    for (const std::string grantee :
         {"'app'@'localhost'", "'reader'@'10.0.%'", "r_audit", "`r ops`"}) {
      for (const auto& row : on.query("SHOW GRANTS FOR " + grantee).rows) {
        text += row.at(0).value_or("") + "\n";
      }
    }
    for (const auto& row : on.query("SELECT User, Host, default_role FROM mysql.user WHERE "
                                    "User IN ('app', 'reader') ORDER BY User")
                               .rows) {
      text += "default role of " + row.at(0).value_or("") + "@" + row.at(1).value_or("") + ": " +
              row.at(2).value_or("NULL") + "\n";
    }
    for (const auto& row : on.query("SELECT User, Host, Role, Admin_option FROM "
                                    "mysql.roles_mapping WHERE User <> 'root' ORDER BY 1, 2, 3")
                               .rows) {
      text += "mapping " + row.at(0).value_or("") + "@" + row.at(1).value_or("") + " " +
              row.at(2).value_or("") + " " + row.at(3).value_or("") + "\n";
    }
    return text;
  };
  const std::string before = described(server());
  ASSERT_TRUE(contains(before, "SET DEFAULT ROLE `r ops`")) << before;
  config_ = write_config("ua", "include_users = true\n");
  auto backup = run_dbkeep({"--config", config_.string(), "--json", "backup", "--set", "db"});
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
  const std::string id = json_of(backup)["backups"][0]["id"].get<std::string>();
  auto shown = run_dbkeep({"--config", config_.string(), "--json", "show", id});
  bool roles_listed = false;
  const auto manifest = json_of(shown);
  for (const auto& file : manifest["files"]) {
    if (file["attributes"].value("kind", "") == "users") {
      roles_listed = file["attributes"]["roles"].get<std::vector<std::string>>() ==
                     std::vector<std::string>{"r ops", "r_audit"};
    }
  }
  EXPECT_TRUE(roles_listed) << shown.stdout_text;
  server().execute("DROP USER 'app'@'localhost', 'reader'@'10.0.%'");
  server().execute("DROP ROLE r_audit, `r ops`");

  auto restore_into = [&](const MariaDbServer& target, const std::string& rename,
                          std::vector<std::string> extra) {
    std::vector<std::string> args{
        "--config", config_.string(), "--json",          "restore",
        id,         "--to-server",    "--socket",        target.socket().string(),
        "--user",   "root",           "--rename-schema", rename};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_dbkeep(args);
  };
  auto restore = [&](const std::string& rename, std::vector<std::string> extra) {
    return restore_into(server(), rename, std::move(extra));
  };
  auto plain = restore("ua=ua_1", {});
  ASSERT_EQ(plain.exit_code, 0) << plain.stderr_text;
  EXPECT_TRUE(contains(plain.stderr_text, "--with-users")) << plain.stderr_text;
  EXPECT_FALSE(server().query_value("SELECT 1 FROM mysql.user WHERE User = 'app'"));
  EXPECT_FALSE(server().query_value("SELECT 1 FROM mysql.user WHERE User = 'r_audit'"));

  auto loaded = restore("ua=ua_2", {"--with-users"});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.stderr_text;
  EXPECT_EQ(json_of(loaded)["accounts"].get<int>(), 2);
  EXPECT_EQ(described(server()), before);
  const std::string hash =
      server()
          .query_value("SELECT authentication_string FROM mysql.user WHERE User = 'app'")
          .value_or("no hash");
  EXPECT_FALSE(contains(loaded.stderr_text + loaded.stdout_text, hash));

  // Again: the accounts exist now, refused before anything changes; --drop-existing replaces.
  auto again = restore("ua=ua_3", {"--with-users"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(contains(again.stderr_text, "'app'@'localhost'")) << again.stderr_text;
  EXPECT_FALSE(
      server().query_value("SELECT 1 FROM information_schema.SCHEMATA WHERE "
                           "SCHEMA_NAME = 'ua_3'"));
  // A role alone on the target is refused too.
  server().execute("DROP USER 'app'@'localhost', 'reader'@'10.0.%'");
  server().execute("DROP ROLE r_audit");
  auto role_left = restore("ua=ua_3", {"--with-users"});
  EXPECT_EQ(role_left.exit_code, 1);
  EXPECT_TRUE(contains(role_left.stderr_text, "role `r ops`")) << role_left.stderr_text;
  EXPECT_FALSE(server().query_value("SELECT 1 FROM mysql.user WHERE User = 'app'"));
  server().execute("CREATE USER 'app'@'localhost' IDENTIFIED BY 'changed'");
  auto replaced = restore("ua=ua_3", {"--with-users", "--drop-existing"});
  ASSERT_EQ(replaced.exit_code, 0) << replaced.stderr_text;
  EXPECT_EQ(described(server()), before);

  // Into a fresh server: the same accounts, roles, grants and default role.
  auto fresh = MariaDbServer::start();
  ASSERT_TRUE(fresh) << fresh.error().message;
  auto onto_fresh = restore_into(**fresh, "ua=ua", {"--with-users"});
  ASSERT_EQ(onto_fresh.exit_code, 0) << onto_fresh.stderr_text;
  EXPECT_EQ(described(**fresh), before);
}

}  // namespace
}  // namespace dbkeep::test
