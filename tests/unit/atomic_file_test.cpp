#include "dbkeep/ops/atomic_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "dbkeep/core/fd.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::ops {
namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// What a writer killed between mkstemp and rename leaves: a temporary file whose lock died with
// it. A forked child makes one the same way write_file_atomically does, then dies without
// cleaning up.
fs::path temp_file_of_a_killed_writer(const fs::path& target) {
  std::string name = (target.parent_path() / ("." + target.filename().string() + ".XXXXXX"));
  pid_t child = ::fork();
  if (child == 0) {
    int fd = ::mkstemp(name.data());
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0 || ::write(fd, "half", 4) != 4) ::_exit(1);
    ::_exit(0);  // dies holding the lock, without unlinking: the kernel drops the lock
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // The child's mkstemp filled in its own copy of the name; find the file it made.
  for (const auto& entry : fs::directory_iterator(target.parent_path())) {
    auto file = entry.path().filename().string();
    if (file.starts_with("." + target.filename().string() + ".")) return entry.path();
  }
  ADD_FAILURE() << "the child made no temporary file";
  return {};
}

TEST(AtomicFileTest, ReplacesTheContentWithTheRequestedMode) {
  test::TempDir dir;
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
  test::TempDir dir;
  auto path = dir.path() / "app.json";
  auto abandoned = temp_file_of_a_killed_writer(path);
  ASSERT_TRUE(fs::exists(abandoned));
  ASSERT_TRUE(write_file_atomically(path, "{}\n"));
  EXPECT_FALSE(fs::exists(abandoned));
  EXPECT_EQ(*read_whole_file(path), "{}\n");
}

TEST(AtomicFileTest, TemporaryFileOfALiveWriterIsLeftAlone) {
  test::TempDir dir;
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
  test::TempDir dir;
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
