// A gzip backup written with threads (independent members, pipeline/gzip_members.cpp) through
// the real binary: plain `gzip -dc` of the stored object gives what `dbkeep restore` gives,
// so a user can get the data back without dbkeep.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/run_command.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

TEST(GzipBackupTest, ThreadedGzipObjectIsReadByPlainGunzipAndRestores) {
  SqliteWorkspace workspace("compression = \"gzip\"\ncompression_threads = 2\n");
  workspace.fill(4000, 1000, /*wal=*/false);  // about 4 MiB: several 1 MiB members
  std::string id = workspace.dbkeep_json({"backup"})["backups"][0]["id"];
  auto stored = workspace.repository() / "app" / id / "data" / "app.db.gz";
  ASSERT_TRUE(std::filesystem::exists(stored));

  auto verify = workspace.dbkeep({"verify", id});
  EXPECT_EQ(verify.exit_code, 0) << verify.stderr_text << verify.stdout_text;

  auto target = workspace.dir() / "restored.db";
  auto restore = workspace.dbkeep({"restore", id, "--sqlite-path", target.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.stderr_text;
  std::string restored = read_file(target);
  EXPECT_GT(restored.size(), 3U * 1024 * 1024);

  auto gunzipped = run_command({"gzip", "-dc", stored.string()});
  ASSERT_TRUE(gunzipped) << gunzipped.error().message;
  EXPECT_EQ(gunzipped->stdout_text.size(), restored.size());
  EXPECT_TRUE(gunzipped->stdout_text == restored);  // not EXPECT_EQ: megabytes on failure
}

}  // namespace
}  // namespace dbkeep::test
