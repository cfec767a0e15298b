// restore::TemporaryTarget: the file under its final name only when complete; removed on any
// other way out; a killed writer's leftover removed by the next writer of the same target.

#include "dbkeep/restore/temporary_target.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "support/abandoned_file.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::restore {
namespace {

namespace fs = std::filesystem;

std::size_t entries_in(const fs::path& directory) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(directory), fs::directory_iterator{}));
}

TEST(TemporaryTargetTest, AppearsUnderItsNameOnlyOnCommit) {
  auto dir = test::make_temp_dir();
  const fs::path target = dir.path() / "out.sql";
  {
    auto temp = TemporaryTarget::create(target, "dbkeep-sql", 0600);
    ASSERT_TRUE(temp) << temp.error().message;
    ASSERT_EQ(::write(temp->fd(), "SELECT 1;\n", 10), 10);
    EXPECT_EQ(temp->path().parent_path(), dir.path());
    EXPECT_TRUE(temp->path().filename().string().starts_with(".out.sql.dbkeep-sql-"));
    struct stat info {};
    ASSERT_EQ(::stat(temp->path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0077, 0U);
    EXPECT_FALSE(fs::exists(target));
    ASSERT_TRUE(temp->commit());
  }
  EXPECT_EQ(test::read_file(target), "SELECT 1;\n");
  EXPECT_EQ(entries_in(dir.path()), 1U);
}

TEST(TemporaryTargetTest, IsRemovedWhenNotCommitted) {
  auto dir = test::make_temp_dir();
  {
    auto temp = TemporaryTarget::create(dir.path() / "out.sql", "dbkeep-sql", 0600);
    ASSERT_TRUE(temp);
    EXPECT_EQ(entries_in(dir.path()), 1U);
  }
  EXPECT_EQ(entries_in(dir.path()), 0U);
}

TEST(TemporaryTargetTest, RemovesAKilledWritersLeftoverAndKeepsOtherFiles) {
  auto dir = test::make_temp_dir();
  test::leave_file_of_a_killed_writer(dir.path() / ".out.sql.dbkeep-sql-99999", "half");
  std::ofstream(dir.path() / "other.sql") << "keep";
  auto temp = TemporaryTarget::create(dir.path() / "out.sql", "dbkeep-sql", 0600);
  ASSERT_TRUE(temp);
  EXPECT_FALSE(fs::exists(dir.path() / ".out.sql.dbkeep-sql-99999"));
  EXPECT_TRUE(fs::exists(dir.path() / "other.sql"));
}

TEST(TemporaryTargetTest, AMissingDirectoryIsAUsageError) {
  auto dir = test::make_temp_dir();
  auto temp = TemporaryTarget::create(dir.path() / "no/such/out.sql", "dbkeep-sql", 0600);
  ASSERT_FALSE(temp);
  EXPECT_EQ(temp.error().kind, ErrorKind::kUsage);
  EXPECT_TRUE(test::contains(temp.error().message, "does not exist"));
}

}  // namespace
}  // namespace dbkeep::restore
