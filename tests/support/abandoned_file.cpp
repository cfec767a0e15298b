#include "support/abandoned_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dbkeep::test {

void leave_file_of_a_killed_writer(const std::filesystem::path& path, std::string_view content) {
  pid_t child = ::fork();
  if (child == 0) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0 ||
        ::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
      ::_exit(1);
    }
    ::_exit(0);  // dies holding the lock, without unlinking: the kernel drops the lock
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "could not make " << path;
  EXPECT_TRUE(std::filesystem::exists(path)) << path;
}

}  // namespace dbkeep::test
