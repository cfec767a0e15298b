#include "dbkeep/ops/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "dbkeep/core/fd.hpp"

namespace dbkeep::ops {
namespace {

namespace fs = std::filesystem;

// The temporary name is ".<name>.XXXXXX" (mkstemp fills the X's). A writer holds an exclusive
// flock on its temporary file from creation until the rename, so a temporary file nobody holds a
// lock on belongs to a writer that was killed (or is in the instant between mkstemp and flock;
// that writer sees ENOENT at its rename and writes again).
std::string temp_prefix(const fs::path& path) {
  return "." + path.filename().string() + ".";
}
constexpr std::size_t kTempSuffixLength = 6;

// Removes the temporary files of `path` that killed writers left behind. Best effort: a file
// that cannot be opened or locked is left alone.
void remove_abandoned_temp_files(const fs::path& directory, const fs::path& path) {
  std::string prefix = temp_prefix(path);
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    auto name = entry.path().filename().string();
    if (name.size() != prefix.size() + kTempSuffixLength || !name.starts_with(prefix)) continue;
    core::Fd candidate(::open(entry.path().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!candidate) continue;
    if (::flock(candidate.get(), LOCK_EX | LOCK_NB) != 0) continue;  // its writer is alive
    ::unlink(entry.path().c_str());
  }
}

enum class Attempt { written, swept_under_us };

Result<Attempt> write_once(const fs::path& directory, const fs::path& path,
                           std::string_view content, mode_t mode) {
  std::string temp_name = (directory / (temp_prefix(path) + "XXXXXX")).string();
  core::Fd fd(::mkstemp(temp_name.data()));
  if (!fd)
    return fail(errno_message("cannot create a temporary file in " + directory.string(), errno));
  auto discard = [&temp_name](const std::string& what) {
    int saved = errno;
    ::unlink(temp_name.c_str());
    return fail(errno_message(what, saved));
  };
  if (::flock(fd.get(), LOCK_EX) != 0) return discard("lock " + temp_name);
  if (::fchmod(fd.get(), mode) != 0) return discard("chmod " + temp_name);
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return discard("write " + temp_name);
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return discard("fsync " + temp_name);
  // The lock is held through the rename: closing first would let a sweeper take our file.
  if (::rename(temp_name.c_str(), path.c_str()) != 0) {
    if (errno == ENOENT) return Attempt::swept_under_us;
    return discard("rename to " + path.string());
  }
  fd.reset();
  core::Fd directory_fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!directory_fd || ::fsync(directory_fd.get()) != 0) {
    return fail(errno_message("fsync " + directory.string(), errno));
  }
  return Attempt::written;
}

}  // namespace

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                   mode_t mode) {
  std::error_code error;
  auto directory = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::filesystem::create_directories(directory, error);
  if (error) return fail("cannot create " + directory.string() + ": " + error.message());
  remove_abandoned_temp_files(directory, path);
  // A concurrent writer's sweep can only take our file in the instant before we lock it; a
  // second attempt is then all it takes.
  for (int attempt = 0; attempt < 3; ++attempt) {
    Attempt outcome{};
    TRY_ASSIGN(outcome, write_once(directory, path, content, mode));
    if (outcome == Attempt::written) return {};
  }
  return fail("cannot replace " + path.string() +
              ": its temporary file kept disappearing (another process removing files there?)");
}

Result<std::string> read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(errno_message("cannot read " + path.string(), errno));
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace dbkeep::ops
