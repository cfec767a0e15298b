// Bad input: each class of mistake a user can make gives the exit code README.md documents, a
// message that names the problem, and changes nothing in the repository or the database.
// One table row per mistake; the SQLite rows always run, the MySQL rows need the MariaDB world.

#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <iostream>

#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/sha256.hpp"
#include "mysql_world.hpp"
#include "reliability_summary.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test::reliability {
namespace {

namespace fs = std::filesystem;

// Path → SHA-256 of every file below `root` (its .state directory excluded: run records and
// lock files are expected to change).
std::map<std::string, std::string> fingerprint(const fs::path& root) {
  std::map<std::string, std::string> files;
  std::error_code ignored;
  for (auto it = fs::recursive_directory_iterator(root, ignored);
       it != fs::recursive_directory_iterator(); it.increment(ignored)) {
    if (it->path().filename() == ".state") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ignored)) continue;
    std::string bytes = read_file(it->path());
    files[it->path().string()] = core::sha256_hex(std::as_bytes(std::span(bytes)));
  }
  return files;
}

void append(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::app) << text;
}

void replace_in(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = read_file(file);
  auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << file;
  text.replace(at, from.size(), to);
  std::ofstream(file, std::ios::trunc) << text;
}

// Holds the set's lock as another dbkeep would (flock on <state>/locks/<set>.lock).
class HeldLock {
 public:
  HeldLock(const fs::path& state_dir, const std::string& set) {
    fs::create_directories(state_dir / "locks");
    fd_ = core::Fd(::open((state_dir / "locks" / (set + ".lock")).c_str(),
                          O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    held_ = fd_ && ::flock(fd_.get(), LOCK_EX | LOCK_NB) == 0;
  }
  bool held() const { return held_; }

 private:
  core::Fd fd_;
  bool held_ = false;
};

struct Context {
  SqliteWorkspace& workspace;
  std::string id;  // a complete backup of set "app"
  fs::path target = workspace.dir() / "restored.db";
  std::map<std::string, std::string> env;
  std::optional<HeldLock> lock;
};

struct BadInput {
  std::string name;
  std::function<void(Context&)> prepare;  // breaks something (config, files, environment)
  std::function<std::vector<std::string>(Context&)> args;
  int exit_code;
  std::string message;  // a fragment stderr must contain
};

std::vector<BadInput> sqlite_rows() {
  auto backup = [](Context&) { return std::vector<std::string>{"backup"}; };
  return {
      {"unknown config key (typo)",
       [](Context& c) {
         replace_in(c.workspace.config(), "method = \"online\"\n",
                    "method = \"online\"\ncompresion = \"gzip\"\n");
       },
       backup, 2, "did you mean"},
      {"wrong value type",
       [](Context& c) { replace_in(c.workspace.config(), "method = \"online\"", "method = 3"); },
       backup, 2, "method"},
      {"missing required key",
       [](Context& c) { replace_in(c.workspace.config(), "source = \"sqlite\"\n", ""); }, backup, 2,
       "source"},
      {"TOML syntax error", [](Context& c) { append(c.workspace.config(), "[set.sqlite\n"); },
       backup, 2, "dbkeep.toml"},
      {"password in the config file",
       [](Context& c) { append(c.workspace.config(), "password = \"hunter2\"\n"); }, backup, 2,
       "password"},
      {"config file missing", [](Context& c) { fs::remove(c.workspace.config()); }, backup, 2,
       "dbkeep.toml"},
      {"bad environment override",
       [](Context& c) { c.env["DBKEEP_SET_APP_COMPRESSION_LEVEL"] = "fast"; }, backup, 2,
       "DBKEEP_SET_APP_COMPRESSION_LEVEL"},
      {"unknown flag", [](Context&) {},
       [](Context&) {
         return std::vector<std::string>{"backup", "--incremantal"};
       },
       2, "--incremantal"},
      {"database missing", [](Context& c) { fs::remove(c.workspace.database()); }, backup, 1,
       "app.db"},
      {"restore target not empty", [](Context& c) { std::ofstream(c.target) << "precious"; },
       [](Context& c) {
         return std::vector<std::string>{"restore", c.id, "--sqlite-path", c.target.string()};
       },
       2, "already exists"},
      {"restore from another set", [](Context&) {},
       [](Context& c) {
         return std::vector<std::string>{"restore",        c.id, "--set", "other", "--sqlite-path",
                                         c.target.string()};
       },
       2, "no complete backup"},
      {"restore SQLite backup as a datadir", [](Context&) {},
       [](Context& c) {
         return std::vector<std::string>{"restore", c.id, "--datadir",
                                         (c.workspace.dir() / "datadir").string()};
       },
       2, "sqlite"},
      {"unknown backup id", [](Context&) {},
       [](Context& c) {
         return std::vector<std::string>{"restore", "20010101_000000", "--sqlite-path",
                                         c.target.string()};
       },
       2, "20010101_000000"},
      {"concurrent run on the same set",
       [](Context& c) { c.lock.emplace(c.workspace.dir() / "state", "app"); }, backup, 4,
       "another dbkeep"},
  };
}

void run_row(const BadInput& row, Context& context) {
  auto repository_before = fingerprint(context.workspace.repository());
  std::string database_before = read_file(context.workspace.database());
  std::string target_before = read_file(context.target);
  row.prepare(context);
  if (context.lock) {
    ASSERT_TRUE(context.lock->held()) << row.name;
  }
  auto run = context.workspace.dbkeep(row.args(context), context.env);
  counters().runs++;
  counters().faults_injected++;
  EXPECT_EQ(run.exit_code, row.exit_code) << row.name << ": " << run.stderr_text;
  EXPECT_NE(run.stderr_text.find(row.message), std::string::npos)
      << row.name << ": expected '" << row.message << "' in: " << run.stderr_text;
  EXPECT_EQ(fingerprint(context.workspace.repository()), repository_before)
      << row.name << " changed the repository";
  if (fs::exists(context.workspace.database())) {
    EXPECT_EQ(read_file(context.workspace.database()), database_before) << row.name;
  }
  if (!target_before.empty() || fs::exists(context.target)) {
    EXPECT_EQ(read_file(context.target), target_before.empty() ? "precious" : target_before)
        << row.name << " changed the restore target";
  }
  std::cout << "[ bad input] " << row.name << ": exit " << run.exit_code << " — "
            << run.stderr_text.substr(0, run.stderr_text.find('\n')) << "\n";
}

TEST(BadInputTest, SqliteRows) {
  for (const auto& row : sqlite_rows()) {
    SqliteWorkspace workspace;
    workspace.fill(20, 100, /*wal=*/true);
    auto backup = workspace.dbkeep({"backup"});
    ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
    counters().runs++;
    Context context{workspace, workspace.listed_ids().front()};
    run_row(row, context);
  }
}

// MySQL rows against the shared server: wrong credentials, unreachable server, missing tool.
TEST(BadInputTest, MysqlRows) {
  std::string reason;
  MysqlWorld* world = MysqlWorld::get(reason);
  if (world == nullptr) GTEST_SKIP() << "MySQL bad-input rows skipped: " << reason;
  struct Row {
    std::string name, method, extra_mysql_env_key, extra_value;
    int exit_code;
    std::string message;
  };
  auto wrong_pw = world->workspace().dir() / "bad-input-wrong.pw";
  std::ofstream(wrong_pw) << "not-the-password\n";
  ::chmod(wrong_pw.c_str(), 0600);
  auto readable_pw = world->workspace().dir() / "bad-input-readable.pw";
  std::ofstream(readable_pw) << MysqlWorld::kPassword << "\n";
  ::chmod(readable_pw.c_str(), 0644);
  std::vector<Row> rows = {
      {"wrong password", "logical", "MYSQL_PASSWORD_FILE", wrong_pw.string(), 1, "access denied"},
      {"world-readable password file", "logical", "MYSQL_PASSWORD_FILE", readable_pw.string(), 2,
       "world-readable"},
      {"unreachable server (socket)", "logical", "MYSQL_SOCKET", "/nonexistent/mysqld.sock", 1,
       "cannot connect"},
      {"mariabackup not in PATH", "physical", "PATH", "/nonexistent", 2, "not installed"},
  };
  for (const auto& row : rows) {
    std::string set = "bad";
    auto config = world->write_config(set, row.method);
    std::map<std::string, std::string> env;
    if (row.extra_mysql_env_key == "PATH") {
      env["PATH"] = row.extra_value;
    } else {
      env["DBKEEP_SET_BAD_" + row.extra_mysql_env_key] = row.extra_value;
    }
    auto before = fingerprint(world->workspace().repository());
    auto run = run_dbkeep({"--config", config.string(), "backup"}, env);
    counters().runs++;
    counters().faults_injected++;
    EXPECT_EQ(run.exit_code, row.exit_code) << row.name << ": " << run.stderr_text;
    EXPECT_NE(run.stderr_text.find(row.message), std::string::npos)
        << row.name << ": expected '" << row.message << "' in: " << run.stderr_text;
    EXPECT_EQ(fingerprint(world->workspace().repository()), before) << row.name;
    EXPECT_TRUE(world->server_writable()) << row.name << " left the server locked";
    std::cout << "[ bad input] " << row.name << ": exit " << run.exit_code << " — "
              << run.stderr_text.substr(0, run.stderr_text.find('\n')) << "\n";
  }
  // The secrets test searches this workspace for the password: leave no copy of it here.
  fs::remove(readable_pw);
  fs::remove(wrong_pw);
}

}  // namespace
}  // namespace dbkeep::test::reliability
