#include "dbkeep/repo/set_lock.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/temp_dir.hpp"

namespace dbkeep::repo {
namespace {

class SetLockTest : public ::testing::Test {
 protected:
  core::TempDir dir_ = test::make_temp_dir("lock-");
};

TEST_F(SetLockTest, SecondHolderGetsLockedErrorNamingThePid) {
  auto first = SetLock::acquire(dir_.path(), "main");
  ASSERT_TRUE(first) << first.error().message;
  // flock locks belong to the open file description, so a second open in the same process
  // conflicts just like another process would.
  auto second = SetLock::acquire(dir_.path(), "main");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::kLocked);
  EXPECT_NE(second.error().message.find("pid " + std::to_string(::getpid())), std::string::npos)
      << second.error().message;
}

TEST_F(SetLockTest, DifferentSetsDoNotConflict) {
  auto a = SetLock::acquire(dir_.path(), "a");
  auto b = SetLock::acquire(dir_.path(), "b");
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
}

TEST_F(SetLockTest, ReleasedOnDestruction) {
  {
    auto held = SetLock::acquire(dir_.path(), "main");
    ASSERT_TRUE(held);
  }
  EXPECT_TRUE(SetLock::acquire(dir_.path(), "main"));
}

TEST_F(SetLockTest, StaleLockOfADeadProcessNeverBlocks) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto held = SetLock::acquire(dir_.path(), "main");
    ::_exit(held ? 0 : 1);  // dies holding the lock; the lock file stays with its PID
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_TRUE(std::filesystem::exists(dir_.path() / "locks" / "main.lock"));
  EXPECT_TRUE(SetLock::acquire(dir_.path(), "main"));
}

}  // namespace
}  // namespace dbkeep::repo
