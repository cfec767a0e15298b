#include "dbkeep/ops/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "dbkeep/core/abandoned_files.hpp"
#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/fd_io.hpp"

namespace dbkeep::ops {
namespace {

namespace fs = std::filesystem;

// The temporary name is ".<name>.XXXXXX" (mkstemp fills the X's); the writer claims it (see
// core/abandoned_files) so the next write can tell a killed writer's file from a live one's.
std::string temp_prefix(const fs::path& path) {
  return "." + path.filename().string() + ".";
}
constexpr std::size_t kTempSuffixLength = 6;

bool is_temp_file_of(const fs::path& path, const std::string& name) {
  std::string prefix = temp_prefix(path);
  return name.size() == prefix.size() + kTempSuffixLength && name.starts_with(prefix);
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
  if (auto claimed = core::claim_temporary_file(fd.get(), temp_name); !claimed) {
    ::unlink(temp_name.c_str());
    return std::unexpected(claimed.error());
  }
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
  TRY(core::sync_directory(directory));
  return Attempt::written;
}

}  // namespace

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                   mode_t mode) {
  std::error_code error;
  auto directory = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::filesystem::create_directories(directory, error);
  if (error) return fail("cannot create " + directory.string() + ": " + error.message());
  core::remove_abandoned_files(
      directory, [&path](const std::string& name) { return is_temp_file_of(path, name); });
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
