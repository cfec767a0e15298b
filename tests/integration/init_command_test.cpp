// `dbkeep init` through the binary: the example config, the interactive questions, and the
// promise never to overwrite a configuration.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "dbkeep/ops/atomic_file.hpp"
#include "dbkeep/ops/config_template.hpp"
#include "support/run_dbkeep.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
  struct stat status {};
  ::stat(path.c_str(), &status);
  return status.st_mode & 07777;
}

TEST(InitCommandTest, WritesTheCommentedExampleWithMode0600AndChecksIt) {
  auto dir = make_temp_dir();
  auto file = dir.path() / "etc/dbkeep/dbkeep.toml";
  // The example logs to /var/log/dbkeep; keep the test's log in its own directory.
  auto run = run_dbkeep({"--config", file.string(), "init"},
                        {{"DBKEEP_LOG_FILE", (dir.path() / "dbkeep.log").string()}});
  // The example points at a MariaDB socket this machine may not have: check-config says so
  // (exit 2) and the file is written either way.
  EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 2) << run.stderr_text;
  EXPECT_EQ(read_file(file), ops::example_config());
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_NE(run.stdout_text.find("wrote " + file.string() + " (mode 0600)"), std::string::npos);
  EXPECT_NE(run.stdout_text.find("configuration " + file.string() + ": parsed, 1 sets"),
            std::string::npos)
      << run.stdout_text;
  if (run.exit_code == 2) {
    EXPECT_NE(run.stderr_text.find("run dbkeep check-config"), std::string::npos);
  }
}

TEST(InitCommandTest, NeverOverwritesAConfigurationAndForceMovesItAside) {
  auto dir = make_temp_dir();
  auto file = dir.path() / "dbkeep.toml";
  ASSERT_TRUE(ops::write_file_atomically(file, "# mine\n", 0600));
  std::map<std::string, std::string> log{{"DBKEEP_LOG_FILE", (dir.path() / "log").string()}};
  auto refused = run_dbkeep({"--config", file.string(), "init"}, log);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.stderr_text.find("exists"), std::string::npos) << refused.stderr_text;
  EXPECT_EQ(read_file(file), "# mine\n");

  auto forced = run_dbkeep({"--config", file.string(), "init", "--force"}, log);
  EXPECT_TRUE(forced.exit_code == 0 || forced.exit_code == 2) << forced.stderr_text;
  EXPECT_EQ(read_file(file), ops::example_config());
  std::vector<fs::path> aside;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename().string().starts_with("dbkeep.toml.before-init-")) {
      aside.push_back(entry.path());
    }
  }
  ASSERT_EQ(aside.size(), 1u);
  EXPECT_EQ(read_file(aside[0]), "# mine\n");
}

TEST(InitCommandTest, InteractiveAnswersMakeAWorkingSqliteSet) {
  SqliteWorkspace workspace("");
  workspace.fill(50, 50, false);
  auto dir = make_temp_dir();
  auto file = dir.path() / "dbkeep.toml";
  auto repository = dir.path() / "repo";
  // Name, source, a relative path (refused, asked again), the path, repository, log file,
  // schedule (an impossible hour, refused), schedule, retention: keep_last default, daily 3,
  // weekly 0, monthly default.
  std::string answers = "nightly\nsqlite\nrelative.db\n" + workspace.database().string() + "\n" +
                        repository.string() + "\n" + (dir.path() / "dbkeep.log").string() +
                        "\n0 25 * * *\n15 4 * * *\n\n3\n0\n\n";
  auto init = run_dbkeep({"--config", file.string(), "init", "--interactive"}, {}, answers);
  ASSERT_EQ(init.exit_code, 0) << init.stdout_text << init.stderr_text;
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_NE(init.stderr_text.find("an absolute path, please"), std::string::npos);
  EXPECT_NE(init.stderr_text.find("When to back up"), std::string::npos);
  std::string content = read_file(file);
  EXPECT_NE(content.find("cron = \"15 4 * * *\""), std::string::npos) << content;
  EXPECT_NE(content.find("keep_daily = 3"), std::string::npos) << content;
  EXPECT_EQ(content.find("keep_weekly"), std::string::npos) << content;

  auto backup = run_dbkeep({"--config", file.string(), "backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
  auto list = run_dbkeep({"--config", file.string(), "list"});
  EXPECT_NE(list.stdout_text.find("nightly"), std::string::npos) << list.stdout_text;
}

TEST(InitCommandTest, InteractiveInputEndingEarlyWritesNothing) {
  auto dir = make_temp_dir();
  auto file = dir.path() / "dbkeep.toml";
  auto init = run_dbkeep({"--config", file.string(), "init", "--interactive"}, {}, "main\n");
  EXPECT_EQ(init.exit_code, 2);
  EXPECT_NE(init.stderr_text.find("nothing was written"), std::string::npos) << init.stderr_text;
  EXPECT_FALSE(fs::exists(file));
}

}  // namespace
}  // namespace dbkeep::test
