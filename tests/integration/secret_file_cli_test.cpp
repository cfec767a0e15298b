// Secret files given on the command line follow the rule of the config's *_file keys
// (core/secret_file.hpp), through the real binary.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

TEST(SecretFileCliTest, RestoreToServerRefusesAPasswordFileOthersCanRead) {
  SqliteWorkspace workspace;
  workspace.fill(10, 10, false);
  ASSERT_EQ(workspace.dbkeep({"backup"}).exit_code, 0);
  auto ids = workspace.listed_ids();
  ASSERT_EQ(ids.size(), 1u);
  auto password_file = workspace.dir() / "mysql.pw";
  std::ofstream(password_file) << "hunter2-secret\n";
  ::chmod(password_file.c_str(), 0644);
  auto run = workspace.dbkeep(
      {"restore", ids.front(), "--to-server", "--password-file", password_file.string()});
  EXPECT_EQ(run.exit_code, 2) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "--password-file " + password_file.string() +
                                            " is group- or world-readable"))
      << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "chmod 600")) << run.stderr_text;
  EXPECT_FALSE(contains(run.stderr_text, "hunter2-secret")) << run.stderr_text;
}

}  // namespace
}  // namespace dbkeep::test
