#include "dbkeep/core/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "dbkeep/core/config_table.hpp"
#include "dbkeep/core/duration.hpp"

namespace dbkeep::core {
namespace {

constexpr const char* kValid = R"(
[repository]
path = "/var/backups/dbkeep"
[log]
file = "/var/log/dbkeep.log"

[[set]]
name = "sessions"
source = "sqlite"
method = "online"
compression = "zstd"
compression_level = 5
[set.sqlite]
path = "/var/lib/app/sessions.db"
[set.retention]
keep_last = 7
keep_within = "7d"
[set.schedule]
cron = "0 */6 * * *"
)";

Result<Config> parse_text(std::string_view text, const Environment& env = {}) {
  return parse_config(text, "dbkeep.toml", env);
}

// Asserts parsing fails with a usage error whose message contains every fragment.
void expect_error(std::string_view text, std::initializer_list<std::string_view> fragments,
                  const Environment& env = {}) {
  auto config = parse_text(text, env);
  ASSERT_FALSE(config) << "parsed although it should not:\n" << text;
  EXPECT_EQ(config.error().kind, ErrorKind::kUsage);
  for (auto fragment : fragments) {
    EXPECT_NE(config.error().message.find(fragment), std::string::npos)
        << "message: " << config.error().message << "\nmissing: " << fragment;
  }
}

TEST(ConfigTest, ParsesTheDesignExample) {
  auto config = parse_text(kValid);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->repository.path, "/var/backups/dbkeep");
  EXPECT_EQ(config->repository.state_dir, "/var/backups/dbkeep/.state");
  ASSERT_EQ(config->sets.size(), 1U);
  const auto& set = config->sets.front();
  EXPECT_EQ(set.name, "sessions");
  EXPECT_EQ(set.codec.codec, Codec::kZstd);
  EXPECT_EQ(set.codec.level, 5);
  ASSERT_TRUE(set.sqlite);
  EXPECT_EQ(set.sqlite->path, "/var/lib/app/sessions.db");
  EXPECT_EQ(set.retention.keep_last, 7);
  EXPECT_EQ(set.retention.keep_within, "7d");
  EXPECT_EQ(set.schedule.cron, "0 */6 * * *");
}

TEST(ConfigTest, VerifyServerBinaryAndVerifyCron) {
  auto defaults = parse_text(kValid);
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->verify.server_binary, "");
  EXPECT_FALSE(defaults->sets.front().schedule.verify_cron);

  auto config =
      parse_text(std::string(kValid) +
                 "verify_cron = \"30 4 * * 0\"\n[verify]\nserver_binary = \"/opt/m/mariadbd\"\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->verify.server_binary, "/opt/m/mariadbd");
  EXPECT_EQ(config->sets.front().schedule.verify_cron, "30 4 * * 0");
  expect_error(std::string(kValid) + "[verify]\nserver = \"x\"\n", {"server"});
}

TEST(ConfigTest, EnvironmentOverridesFileValues) {
  Environment env = {{"DBKEEP_REPOSITORY_PATH", "/srv/backups"},
                     {"DBKEEP_SET_SESSIONS_SQLITE_PATH", "/tmp/other.db"},
                     {"DBKEEP_SET_SESSIONS_RETENTION_KEEP_LAST", "3"},
                     {"DBKEEP_SET_SESSIONS_COMPRESSION", "gzip"},
                     {"DBKEEP_SET_SESSIONS_COMPRESSION_LEVEL", "9"}};
  auto config = parse_text(kValid, env);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->repository.path, "/srv/backups");
  EXPECT_EQ(config->sets[0].sqlite->path, "/tmp/other.db");
  EXPECT_EQ(config->sets[0].retention.keep_last, 3);
  EXPECT_EQ(config->sets[0].codec.codec, Codec::kGzip);
}

// A container enables the databases it has from its environment: a disabled set is not read
// further (its password file need not exist) and is as if absent, except that find_set says why.
TEST(ConfigTest, ASetCanBeDisabledFromTheFileOrTheEnvironment) {
  const std::string two = std::string(kValid) + R"(
[[set]]
name = "app-db"
source = "mysql"
method = "logical"
[set.mysql]
socket = "/run/mysqld/mysqld.sock"
password_file = "/nonexistent/password"
)";
  auto disabled = parse_text(two, {{"DBKEEP_SET_APP_DB_ENABLED", "false"}});
  ASSERT_TRUE(disabled) << disabled.error().message;
  ASSERT_EQ(disabled->sets.size(), 1U);
  EXPECT_EQ(disabled->sets[0].name, "sessions");
  EXPECT_EQ(disabled->disabled_sets, std::vector<std::string>{"app-db"});
  auto found = disabled->find_set("app-db");
  ASSERT_FALSE(found);
  EXPECT_NE(found.error().message.find("set 'app-db' is disabled"), std::string::npos);
  EXPECT_NE(found.error().message.find("DBKEEP_SET_APP_DB_ENABLED=false"), std::string::npos);

  // Enabled (the default, or "true"), its password file is read, and missing.
  expect_error(two, {"/nonexistent/password"}, {{"DBKEEP_SET_APP_DB_ENABLED", "true"}});

  std::string in_file = kValid;
  in_file.insert(in_file.find("source = \"sqlite\""), "enabled = false\n");
  expect_error(in_file, {"every [[set]] is disabled"});
  expect_error(in_file + "[[set]]\nname = \"sessions\"\nenabled = false\n",
               {"two sets are named 'sessions'"});
}

TEST(ConfigTest, EnvironmentCanSupplyAMissingRequiredKey) {
  auto config = parse_text(R"(
[repository]
[[set]]
name = "s"
source = "sqlite"
[set.sqlite]
path = "/a.db"
)",
                           {{"DBKEEP_REPOSITORY_PATH", "/srv/b"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->repository.path, "/srv/b");
  EXPECT_EQ(config->sets[0].method, Method::kOnline);
}

TEST(ConfigTest, UnknownKeyNamesFileLineAndSuggestion) {
  expect_error(R"([repository]
path = "/x"
[[set]]
name = "s"
source = "sqlite"
compresion = "zstd"
[set.sqlite]
path = "/a.db"
)",
               {"dbkeep.toml:6", "unknown key 'compresion'", "did you mean 'compression'"});
}

TEST(ConfigTest, UnknownSectionIsAnError) {
  expect_error("[repository]\npath = \"/x\"\n[repo]\npath = \"/y\"\n", {"unknown key 'repo'"});
}

TEST(ConfigTest, WrongTypeNamesKeyAndTypes) {
  expect_error(R"([repository]
path = "/x"
[[set]]
name = "s"
source = "sqlite"
[set.sqlite]
path = "/a.db"
[set.retention]
keep_last = "seven"
)",
               {"dbkeep.toml:9", "keep_last", "must be an integer, got a string"});
}

TEST(ConfigTest, EmptyValueIsAnErrorNeverADefault) {
  expect_error("[repository]\npath = \"\"\n[[set]]\nname=\"s\"\nsource=\"sqlite\"\n",
               {"dbkeep.toml:2", "path", "must not be empty"});
  expect_error(kValid, {"DBKEEP_SET_SESSIONS_SQLITE_PATH", "must not be empty"},
               {{"DBKEEP_SET_SESSIONS_SQLITE_PATH", ""}});
}

TEST(ConfigTest, MissingRequiredKeysAreNamed) {
  expect_error("[[set]]\nname=\"s\"\nsource=\"sqlite\"\n",
               {"[repository]", "missing required key 'path'", "DBKEEP_REPOSITORY_PATH"});
  expect_error("[repository]\npath=\"/x\"\n[[set]]\nname=\"s\"\nsource=\"sqlite\"\n",
               {"[set 's'.sqlite]", "missing required key 'path'"});
  expect_error("[repository]\npath=\"/x\"\n[[set]]\nsource=\"sqlite\"\n", {"needs", "'name'"});
  expect_error("[repository]\npath=\"/x\"\n", {"no [[set]]"});
}

TEST(ConfigTest, BadEnumerationsAndRangesAreRejected) {
  std::string base = "[repository]\npath=\"/x\"\n[[set]]\nname=\"s\"\n";
  expect_error(base + "source=\"postgres\"\n", {"must be mysql or sqlite"});
  expect_error(base + "source=\"sqlite\"\nmethod=\"snapshot\"\n[set.sqlite]\npath=\"/a\"\n",
               {"does not apply to source 'sqlite'"});
  expect_error(base + "source=\"sqlite\"\ncompression=\"lz4\"\n[set.sqlite]\npath=\"/a\"\n",
               {"must be zstd, gzip or none"});
  expect_error(base + "source=\"sqlite\"\ncompression_level=40\n[set.sqlite]\npath=\"/a\"\n",
               {"between 1 and 19", "got 40"});
  expect_error(base + "source=\"sqlite\"\n[set.sqlite]\npath=\"/a\"\n", {"between"},
               {{"DBKEEP_SET_S_PARALLEL", "0"}});
  expect_error(base + "source=\"sqlite\"\n[set.sqlite]\npath=\"/a\"\n",
               {"DBKEEP_SET_S_PARALLEL", "must be an integer"}, {{"DBKEEP_SET_S_PARALLEL", "x"}});
}

TEST(ConfigTest, SyntaxErrorsNameTheLine) {
  expect_error("[repository]\npath = \"/x\n", {"dbkeep.toml:2"});
}

// Found by tests/fuzz/fuzz_config: toml++ 3.3.0 reached __builtin_unreachable() on non-ASCII
// characters where it looks for whitespace (see core/toml.hpp); the sanitizer build failed here.
TEST(ConfigTest, NonAsciiWhereWhitespaceMayStandIsAnErrorOrText) {
  // "über = 1" on the line after kValid's last: bare keys are ASCII.
  const auto next_line = std::ranges::count(std::string_view(kValid), '\n') + 1;
  expect_error(std::string(kValid) +
                   "\xC3\xBC"
                   "ber = 1\n",
               {"dbkeep.toml:" + std::to_string(next_line) + ":", "\xC3\xBC"});
  expect_error(
      "[repository]\n\xEF\xBB\xBE"
      "path = \"/x\"\n",
      {"dbkeep.toml:2:"});
  // A line-ending backslash in a """ string, then a non-ASCII character: valid TOML.
  std::string text = kValid;
  text.replace(text.find("\"/var/backups/dbkeep\""), 21, "\"\"\"/var/backups/\\\n  \xC2\xA7\"\"\"");
  auto config = parse_text(text);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->repository.path, "/var/backups/\xC2\xA7");
}

TEST(ConfigTest, DuplicateSetNamesAreRejected) {
  expect_error(R"([repository]
path="/x"
[[set]]
name="a"
source="sqlite"
[set.sqlite]
path="/a"
[[set]]
name="a"
source="sqlite"
[set.sqlite]
path="/b"
)",
               {"two sets are named 'a'"});
}

// Set names become directories, lock files, systemd instance names and cron lines.
TEST(ConfigTest, SetNamesFollowOneRule) {
  for (std::string bad :
       std::vector<std::string>{".state", ".hidden", "a/b", "ok name", "-rf", "_x",
                                "\xC3\xA9t\xC3\xA9", std::string(65, 'a')}) {
    std::string text = kValid;
    text.replace(text.find("\"sessions\""), 10, "\"" + bad + "\"");
    expect_error(text, {"dbkeep.toml:8: [[set]] name '" + bad + "' is not allowed",
                        "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"});
  }
  for (std::string good :
       std::vector<std::string>{"a", "db1", "app.main", "my-set_2", "9", std::string(64, 'a')}) {
    std::string text = kValid;
    text.replace(text.find("\"sessions\""), 10, "\"" + good + "\"");
    auto config = parse_text(text);
    ASSERT_TRUE(config) << good << ": " << config.error().message;
    EXPECT_EQ(config->sets.front().name, good);
  }
}

// Relative paths follow the config file, not the working directory (cron runs in /); names
// that are not paths (an LVM vg/lv, a program found in PATH) stay as they are.
TEST(ConfigTest, RelativePathsAreRelativeToTheConfigFile) {
  auto config = parse_config(R"([repository]
path = "repo"
temp_dir = "../tmp"
[log]
file = "log/dbkeep.log"
[metrics]
file = "/var/lib/prom/dbkeep.prom"
[verify]
server_binary = "mariadbd"
[[set]]
name = "db"
source = "mysql"
method = "snapshot"
[set.mysql]
socket = "run/mysqld.sock"
option_file = "my.cnf"
[set.snapshot]
provider = "lvm"
volume = "vg/lv"
mount_point = "snap"
[set.restore]
server_binary = "./bin/mariadbd"
[set.hooks]
pre_backup = ["scripts/stop-app", "now"]
post_backup = ["systemctl", "start", "app"]
)",
                             "/etc/dbkeep/dbkeep.toml", {{"DBKEEP_REPOSITORY_STATE_DIR", "st"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->repository.path, "/etc/dbkeep/repo");
  EXPECT_EQ(config->repository.state_dir, "/etc/dbkeep/st");
  EXPECT_EQ(config->repository.temp_dir, "/etc/tmp");
  EXPECT_EQ(config->log.file, "/etc/dbkeep/log/dbkeep.log");
  EXPECT_EQ(config->metrics.file, "/var/lib/prom/dbkeep.prom");
  EXPECT_EQ(config->verify.server_binary, "mariadbd");
  const auto& set = config->sets.front();
  EXPECT_EQ(set.mysql->socket, "/etc/dbkeep/run/mysqld.sock");
  EXPECT_EQ(set.mysql->option_file, "/etc/dbkeep/my.cnf");
  EXPECT_EQ(set.snapshot->volumes, std::vector<std::string>{"vg/lv"});
  EXPECT_EQ(set.snapshot->mount_point, "/etc/dbkeep/snap");
  EXPECT_EQ(set.restore.server_binary, "/etc/dbkeep/bin/mariadbd");
  EXPECT_EQ(set.hooks.pre_backup,
            (std::vector<std::string>{"/etc/dbkeep/scripts/stop-app", "now"}));
  EXPECT_EQ(set.hooks.post_backup.front(), "systemctl");
}

TEST(ConfigTest, PasswordsInTheFileAreRefused) {
  expect_error(R"([repository]
path="/x"
[[set]]
name="db"
source="mysql"
method="logical"
[set.mysql]
user="backup"
password="hunter2"
)",
               {"dbkeep.toml:9", "passwords do not belong in the config file"});
}

TEST(ConfigTest, PasswordMayComeFromTheEnvironment) {
  auto config = parse_text(R"([repository]
path="/x"
[[set]]
name="db"
source="mysql"
method="logical"
[set.mysql]
user="backup"
)",
                           {{"DBKEEP_SET_DB_MYSQL_PASSWORD", "s3cret"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->sets[0].mysql->password, "s3cret");
}

TEST(ConfigTest, FindSetListsTheConfiguredNames) {
  auto config = parse_text(kValid);
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->find_set("sessions"));
  auto missing = config->find_set("nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("configured: sessions"), std::string::npos);
}

TEST(ConfigTest, SizesAndSuggestions) {
  EXPECT_EQ(parse_size("1G"), 1ULL << 30);
  EXPECT_EQ(parse_size("512M"), 512ULL << 20);
  EXPECT_EQ(parse_size("64k"), 64ULL << 10);
  EXPECT_EQ(parse_size("2GiB"), 2ULL << 30);
  EXPECT_EQ(parse_size("100"), 100U);
  EXPECT_FALSE(parse_size("lots"));
  EXPECT_FALSE(parse_size(""));
  EXPECT_EQ(closest_match("keep_lst", {"keep_last", "keep_daily"}), "keep_last");
  EXPECT_FALSE(closest_match("zzzzzz", {"keep_last"}));
  EXPECT_EQ(env_component("my-set.1"), "MY_SET_1");
}

TEST(ConfigTest, RetriesDaemonStartNotifyThresholdAndHostDatadir) {
  auto config = parse_text(R"(
[repository]
path = "/var/backups/dbkeep"
[daemon]
run_at_start = true
[notify]
after_failures = 3
[[set]]
name = "main"
source = "mysql"
method = "physical"
retries = 2
retry_delay = "90s"
[set.mysql]
socket = "/run/mysqld/mysqld.sock"
datadir = "/srv/app/mysql-data"
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->daemon.run_at_start);
  EXPECT_EQ(config->notify.after_failures, 3);
  const auto& set = config->sets.front();
  EXPECT_EQ(set.retries, 2);
  EXPECT_EQ(set.retry_delay, std::chrono::seconds(90));
  EXPECT_EQ(set.mysql->datadir, std::filesystem::path("/srv/app/mysql-data"));

  // Defaults: no retry, 5 minutes apart once asked; every failure announced; no start-up run.
  auto defaults = parse_text(kValid);
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->sets.front().retries, 0);
  EXPECT_EQ(defaults->sets.front().retry_delay, std::chrono::minutes(5));
  EXPECT_EQ(defaults->notify.after_failures, 1);
  EXPECT_FALSE(defaults->daemon.run_at_start);

  // From the environment, as a container sets them.
  auto from_env = parse_text(kValid, {{"DBKEEP_SET_SESSIONS_RETRIES", "1"},
                                      {"DBKEEP_SET_SESSIONS_RETRY_DELAY", "2m"},
                                      {"DBKEEP_DAEMON_RUN_AT_START", "true"}});
  ASSERT_TRUE(from_env) << from_env.error().message;
  EXPECT_EQ(from_env->sets.front().retries, 1);
  EXPECT_EQ(from_env->sets.front().retry_delay, std::chrono::minutes(2));
  EXPECT_TRUE(from_env->daemon.run_at_start);

  auto with_set_key = [](const std::string& line) {
    std::string text = kValid;
    text.insert(text.find("method = \"online\"\n"), line + "\n");
    return text;
  };
  expect_error(with_set_key("retry_delay = \"5 minutes\""), {"retry_delay", "e.g. 5m"});
  expect_error(with_set_key("retries = -1"), {"retries"});
  expect_error("[notify]\nafter_failures = 0\n" + std::string(kValid), {"after_failures"});
  expect_error("[daemon]\nrun_at_startup = true\n" + std::string(kValid), {"run_at_start"});
}

TEST(ConfigTest, SpansAreANumberWithOneUnit) {
  EXPECT_EQ(parse_span("30s", "x"), std::chrono::seconds(30));
  EXPECT_EQ(parse_span("5m", "x"), std::chrono::minutes(5));
  EXPECT_EQ(parse_span("26h", "x"), std::chrono::hours(26));
  EXPECT_EQ(parse_span("2d", "x"), std::chrono::hours(48));
  for (const char* bad : {"", "5", "0m", "-1h", "5x", "1h30m", "99999999999d"}) {
    auto span = parse_span(bad, "--max-age");
    ASSERT_FALSE(span) << bad;
    EXPECT_EQ(span.error().kind, ErrorKind::kUsage);
    EXPECT_NE(span.error().message.find("--max-age"), std::string::npos);
  }
}

}  // namespace
}  // namespace dbkeep::core
