#include "dbkeep/ops/atomic_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "dbkeep/core/fd.hpp"
#include "support/abandoned_file.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::ops {
namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(AtomicFileTest, ReplacesTheContentWithTheRequestedMode) {
  auto dir = test::make_temp_dir();
  auto path = dir.path() / "sub" / "record.json";
  ASSERT_TRUE(write_file_atomically(path, "old\n", 0640));
  ASSERT_TRUE(write_file_atomically(path, "new\n", 0600));
  EXPECT_EQ(*read_whole_file(path), "new\n");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600U);
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
}

TEST(AtomicFileTest, TemporaryFileOfAKilledWriterIsRemovedByTheNextWrite) {
  auto dir = test::make_temp_dir();
  auto path = dir.path() / "app.json";
  // What a writer killed between mkstemp and rename leaves: its temporary file, unlocked.
  auto abandoned = dir.path() / ".app.json.Xy34Zw";
  test::leave_file_of_a_killed_writer(abandoned, "half");
  ASSERT_TRUE(write_file_atomically(path, "{}\n"));
  EXPECT_FALSE(fs::exists(abandoned));
  EXPECT_EQ(*read_whole_file(path), "{}\n");
}

TEST(AtomicFileTest, TemporaryFileOfALiveWriterIsLeftAlone) {
  auto dir = test::make_temp_dir();
  auto path = dir.path() / "app.json";
  auto busy = dir.path() / ".app.json.Ab12Cd";
  write_text(busy, "in progress");
  core::Fd held(::open(busy.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(held);
  ASSERT_EQ(::flock(held.get(), LOCK_EX), 0);  // a writer in another process, still working
  ASSERT_TRUE(write_file_atomically(path, "{}\n"));
  EXPECT_TRUE(fs::exists(busy));
}

TEST(AtomicFileTest, OtherFilesInTheDirectoryAreLeftAlone) {
  auto dir = test::make_temp_dir();
  auto path = dir.path() / "app.json";
  // Another target's temporary file, a dotfile of a different shape, and the file itself.
  for (const char* name : {".other.json.Ab12Cd", ".app.json.toolong1", ".app.json", "app.json.1"})
    write_text(dir.path() / name, "keep");
  ASSERT_TRUE(write_file_atomically(path, "{}\n"));
  for (const char* name : {".other.json.Ab12Cd", ".app.json.toolong1", ".app.json", "app.json.1"})
    EXPECT_TRUE(fs::exists(dir.path() / name)) << name;
}

}  // namespace
}  // namespace dbkeep::ops
