#include "dbkeep/ops/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "dbkeep/core/fd.hpp"

namespace dbkeep::ops {

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                   mode_t mode) {
  std::error_code error;
  auto directory = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::filesystem::create_directories(directory, error);
  if (error) return fail("cannot create " + directory.string() + ": " + error.message());

  std::string temp_name = (directory / ("." + path.filename().string() + ".XXXXXX")).string();
  core::Fd fd(::mkstemp(temp_name.data()));
  if (!fd)
    return fail(errno_message("cannot create a temporary file in " + directory.string(), errno));
  auto discard = [&temp_name](const std::string& what) {
    int saved = errno;
    ::unlink(temp_name.c_str());
    return fail(errno_message(what, saved));
  };
  if (::fchmod(fd.get(), mode) != 0) return discard("chmod " + temp_name);
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return discard("write " + temp_name);
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return discard("fsync " + temp_name);
  fd.reset();
  if (::rename(temp_name.c_str(), path.c_str()) != 0) return discard("rename to " + path.string());
  core::Fd directory_fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!directory_fd || ::fsync(directory_fd.get()) != 0) {
    return fail(errno_message("fsync " + directory.string(), errno));
  }
  return {};
}

Result<std::string> read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(errno_message("cannot read " + path.string(), errno));
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace dbkeep::ops
