// Every directory dbkeep creates for a repository or its state is 0700 (owner only), whatever
// the umask, through the real binary.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

namespace fs = std::filesystem;

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(PrivateDirectoriesTest, RepositoryAndStateDirectoriesAreOwnerOnly) {
  SqliteWorkspace workspace;
  workspace.fill(10, 10, true);
  // The default state_dir (<repository>/.state), so the first directory made is the repository's.
  std::string config = read_file(workspace.config());
  config.erase(config.find("state_dir"),
               config.find('\n', config.find("state_dir")) - config.find("state_dir") + 1);
  std::ofstream(workspace.config()) << config;
  mode_t saved = ::umask(022);
  auto backup = workspace.dbkeep({"backup"});
  auto daemon = workspace.dbkeep({"daemon", "--once"});
  ::umask(saved);
  ASSERT_EQ(backup.exit_code, 0) << backup.stderr_text;
  ASSERT_EQ(daemon.exit_code, 0) << daemon.stderr_text;
  const fs::path repo = workspace.repository();
  ASSERT_FALSE(workspace.listed_ids().empty());
  for (const fs::path& directory :
       {repo, repo / ".state", repo / ".state/locks", repo / ".state/runs", repo / "app",
        repo / "app" / workspace.listed_ids().front()}) {
    EXPECT_EQ(mode_of(directory), 0700u) << directory;
  }
}

}  // namespace
}  // namespace dbkeep::test
