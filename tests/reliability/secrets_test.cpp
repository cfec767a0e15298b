// Secrets: backups run with a known MariaDB password and a known S3 secret. Neither may appear
// in any process's command line while dbkeep and its children run, in a child's environment, in
// stdout/stderr (plain or --json), in the log, or in any file under the repository, state and
// temp directories. Repository files are 0600 and directories 0700; nothing there is
// world-readable.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>

#include "mysql_world.hpp"
#include "reliability_summary.hpp"
#include "secret_watch.hpp"
#include "support/s3_server.hpp"
#include "support/sqlite_workspace.hpp"

namespace dbkeep::test::reliability {
namespace {

namespace fs = std::filesystem;

void write_secret_file(const fs::path& path, const std::string& secret) {
  std::ofstream(path) << secret << "\n";
  ::chmod(path.c_str(), 0600);
}

// Runs dbkeep with `config` and counts a leak for every output holding a secret.
DbkeepRun run_checked(const fs::path& config, std::vector<std::string> args,
                      const std::vector<std::string>& secrets,
                      const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), {"--config", config.string()});
  auto run = run_dbkeep(args, env);
  counters().runs++;
  bool leaked = contains_any(run.stdout_text, secrets) || contains_any(run.stderr_text, secrets);
  EXPECT_FALSE(leaked) << "dbkeep " << args[2] << " printed a secret";
  if (leaked) counters().secrets_leaked++;
  return run;
}

void count_leaks(const std::vector<std::string>& sightings, const std::string& what) {
  for (const auto& sighting : sightings) ADD_FAILURE() << what << ": " << sighting;
  counters().secrets_leaked += sightings.size();
}

// Repository files 0600, directories 0700; no world-readable file below `root`.
void expect_private_tree(const fs::path& root, bool repository_modes) {
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    struct stat info {};
    ASSERT_EQ(::lstat(it->path().c_str(), &info), 0);
    mode_t mode = info.st_mode & 07777;
    if (S_ISREG(info.st_mode)) {
      EXPECT_EQ(mode & 0004, 0U) << it->path() << " is world-readable";
    }
    if (!repository_modes || it->path().string().find("/.state") != std::string::npos) continue;
    if (S_ISDIR(info.st_mode)) {
      EXPECT_EQ(mode, 0700U) << it->path();
    } else if (S_ISREG(info.st_mode)) {
      EXPECT_EQ(mode, 0600U) << it->path();
    }
  }
}

// The commands a user runs, all with the secret in play; returns the last backup's id.
std::string exercise(const fs::path& config, const std::vector<std::string>& secrets,
                     const std::map<std::string, std::string>& env = {}) {
  auto backup = run_checked(config, {"--json", "--verbose", "backup"}, secrets, env);
  EXPECT_EQ(backup.exit_code, 0) << describe(backup);
  const auto document = json_of(backup);
  std::string id = document.value("backups", nlohmann::json::array()).empty()
                       ? ""
                       : document["backups"][0].value("id", "");
  run_checked(config, {"--json", "list"}, secrets, env);
  run_checked(config, {"--json", "show", id}, secrets, env);
  auto verify = run_checked(config, {"--json", "--verbose", "verify"}, secrets, env);
  EXPECT_EQ(verify.exit_code, 0) << verify.stderr_text;
  if (verify.exit_code == 0) counters().backups_verified++;
  run_checked(config, {"--json", "stats"}, secrets, env);
  run_checked(config, {"--json", "status"}, secrets, env);
  run_checked(config, {"--verbose", "check-config"}, secrets, env);
  return id;
}

TEST(SecretsTest, SqliteRepositoryIsPrivate) {
  SqliteWorkspace workspace;
  workspace.fill(50, 100, /*wal=*/true);
  exercise(workspace.config(), {"no-secret-in-this-set"});
  expect_private_tree(workspace.repository(), /*repository_modes=*/true);
  expect_private_tree(workspace.dir() / "state", false);
  struct stat info {};
  ASSERT_EQ(::stat((workspace.dir() / "dbkeep.log").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0004, 0U) << "the log is world-readable";
}

class MysqlSecretsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MysqlSecretsTest, PasswordNeverLeaks) {
  std::string reason;
  MysqlWorld* world = MysqlWorld::get(reason);
  if (world == nullptr) GTEST_SKIP() << "MySQL secrets tests skipped: " << reason;
  const std::string& method = GetParam();
  const std::string set = "secret_" + method;
  const std::vector<std::string> secrets = {MysqlWorld::kPassword, "Wrong-pw-5d1e8b2c"};
  auto config = world->write_config(set, method);
  auto scratch = world->workspace().dir();

  ProcSecretWatch watch(secrets);
  exercise(config, secrets);
  // The same with the password in the environment: dbkeep may hold it there, its children not.
  watch.allow_dbkeep_environ(true);
  std::string upper = set;
  for (auto& c : upper) c = static_cast<char>(std::toupper(c));
  auto env_config = world->write_config(set, method, "", /*password_file_in_config=*/false);
  exercise(env_config, secrets,
           {{"DBKEEP_SET_" + upper + "_MYSQL_PASSWORD", MysqlWorld::kPassword}});
  config = world->write_config(set, method);
  // A wrong password: a clean failure that does not repeat it.
  write_secret_file(scratch / "wrong.pw", secrets[1]);
  auto wrong = run_checked(
      config, {"--json", "backup"}, secrets,
      {{"DBKEEP_SET_" + upper + "_MYSQL_PASSWORD_FILE", (scratch / "wrong.pw").string()}});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.stderr_text;
  auto sightings = watch.stop();
  count_leaks(sightings, method + " while running");
  std::cout << "[ secrets  ] " << method << ": " << watch.scans() << " scans of /proc, "
            << sightings.size() << " sightings\n";

  auto files =
      files_containing(scratch, secrets,
                       {world->password_file(), scratch / "wrong.pw",
                        world->workspace().volume().mount_dir(), world->server().datadir()});
  count_leaks(files, method + " files");
  expect_private_tree(world->workspace().repository(), /*repository_modes=*/true);
}

std::vector<std::string> secret_methods() {
  std::vector<std::string> methods = {"logical", "snapshot"};
  // mariabackup copies the whole datadir: slow enough to keep it to the long variant.
  if (long_variant() && ::access("/usr/bin/mariabackup", X_OK) == 0) {
    methods.push_back("physical");
  }
  return methods;
}

INSTANTIATE_TEST_SUITE_P(Methods, MysqlSecretsTest, ::testing::ValuesIn(secret_methods()),
                         [](const auto& info) { return info.param; });

TEST(SecretsTest, S3SecretNeverLeaks) {
  DBKEEP_SKIP_WITHOUT_S3();
  auto server = S3Server::start();
  ASSERT_TRUE(server) << server.error().message;
  SqliteWorkspace workspace;
  workspace.fill(200, 500, /*wal=*/true);
  write_secret_file(workspace.dir() / "key_id", S3Server::access_key());
  write_secret_file(workspace.dir() / "secret", S3Server::secret_key());
  std::ofstream(workspace.config(), std::ios::trunc)
      << "[repository]\nurl = \"s3://" << S3Server::bucket() << "/rel\"\n"
      << "endpoint = \"" << (*server)->endpoint() << "\"\n"
      << "access_key_id_file = \"" << (workspace.dir() / "key_id").string() << "\"\n"
      << "secret_access_key_file = \"" << (workspace.dir() / "secret").string() << "\"\n"
      << "state_dir = \"" << (workspace.dir() / "state").string() << "\"\n"
      << "temp_dir = \"" << workspace.temp().string() << "\"\n"
      << "[log]\nfile = \"" << (workspace.dir() / "dbkeep.log").string() << "\"\n"
      << "[[set]]\nname = \"app\"\nsource = \"sqlite\"\nmethod = \"online\"\n"
      << "[set.sqlite]\npath = \"" << workspace.database().string() << "\"\n";
  const std::vector<std::string> secrets = {S3Server::secret_key()};

  ProcSecretWatch watch(secrets);
  std::string id = exercise(workspace.config(), secrets);
  auto restore = run_checked(
      workspace.config(),
      {"--json", "restore", id, "--sqlite-path", (workspace.dir() / "restored.db").string()},
      secrets);
  EXPECT_EQ(restore.exit_code, 0) << restore.stderr_text;
  count_leaks(watch.stop(), "S3 while running");
  count_leaks(files_containing(workspace.dir(), secrets, {workspace.dir() / "secret"}), "S3 files");
}

}  // namespace
}  // namespace dbkeep::test::reliability
