// Relative paths in the configuration (and in environment overrides) are taken relative to the
// config file's directory, not the working directory: cron runs dbkeep in /.

#include <gtest/gtest.h>

#include <fstream>

#include "support/sqlite_workspace.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

namespace fs = std::filesystem;

// Runs the binary with another working directory, as cron would.
class RelativePathsTest : public ::testing::Test {
 protected:
  DbkeepRun run_elsewhere(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {}) {
    const fs::path saved = fs::current_path();
    fs::current_path(elsewhere_.path());
    auto run = workspace_.dbkeep(args, env);
    fs::current_path(saved);
    return run;
  }
  void write_config(const std::string& text) { std::ofstream(workspace_.config()) << text; }

  SqliteWorkspace workspace_;
  core::TempDir elsewhere_ = make_temp_dir();
};

TEST_F(RelativePathsTest, PathsFollowTheConfigFileNotTheWorkingDirectory) {
  workspace_.fill(20, 10, true);
  write_config(
      "[repository]\npath = \"relrepo\"\nstate_dir = \"relstate\"\ntemp_dir = \"tmp\"\n"
      "[log]\nfile = \"rel.log\"\n[metrics]\nfile = \"metrics/dbkeep.prom\"\n"
      "[[set]]\nname = \"app\"\nsource = \"sqlite\"\n[set.sqlite]\npath = \"./app.db\"\n");
  const fs::path dir = workspace_.dir();

  auto check = run_elsewhere({"check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;
  EXPECT_TRUE(contains(check.stdout_text + check.stderr_text, (dir / "relrepo").string()))
      << check.stdout_text << check.stderr_text;
  auto backup = run_elsewhere({"backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
  EXPECT_TRUE(fs::exists(dir / "relrepo" / "app")) << backup.stderr_text;
  EXPECT_TRUE(fs::exists(dir / "relstate" / "locks"));
  EXPECT_TRUE(contains(read_file(dir / "rel.log"), "backup")) << "the log went elsewhere";
  auto listed = run_elsewhere({"--json", "list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.stderr_text;
  EXPECT_TRUE(contains(listed.stdout_text, "\"set\": \"app\"")) << listed.stdout_text;
  EXPECT_TRUE(fs::is_empty(elsewhere_.path())) << "something was written to the working directory";
}

TEST_F(RelativePathsTest, RelativeEnvironmentOverridesFollowTheConfigFileToo) {
  workspace_.fill(20, 10, true);
  auto run = run_elsewhere({"backup"}, {{"DBKEEP_LOG_FILE", "env.log"},
                                        {"DBKEEP_SET_APP_SQLITE_PATH", "app.db"},
                                        {"DBKEEP_REPOSITORY_PATH", "envrepo"}});
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_TRUE(fs::exists(workspace_.dir() / "envrepo" / "app"));
  EXPECT_TRUE(fs::exists(workspace_.dir() / "env.log"));
  EXPECT_TRUE(fs::is_empty(elsewhere_.path())) << "something was written to the working directory";
}

}  // namespace
}  // namespace dbkeep::test
