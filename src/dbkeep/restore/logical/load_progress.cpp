#include "dbkeep/restore/logical/load_progress.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/private_directory.hpp"
#include "dbkeep/core/sha256.hpp"

namespace dbkeep::restore::logical {
namespace {

constexpr std::string_view kBegin = "begin";
constexpr std::string_view kChunk = "chunk";

Result<std::string> read_all(int fd, const std::filesystem::path& path) {
  std::string text;
  std::byte buffer[64 * 1024];
  if (::lseek(fd, 0, SEEK_SET) < 0)
    return fail(errno_message("cannot read " + path.string(), errno));
  while (true) {
    TRY_ASSIGN(auto got, core::read_some(fd, buffer, path));
    if (got == 0) return text;
    text.append(reinterpret_cast<const char*>(buffer), got);
  }
}

}  // namespace

std::filesystem::path LoadProgress::path_for(const std::filesystem::path& directory,
                                             const std::string& set, const std::string& id,
                                             const std::string& target) {
  const std::string digest = core::sha256_hex(std::as_bytes(std::span(target)));
  return directory / (set + "-" + id + "-" + digest.substr(0, 16) + ".progress");
}

Result<LoadProgress> LoadProgress::open(const std::filesystem::path& path) {
  TRY(core::create_private_directories(path.parent_path()));
  LoadProgress progress;
  progress.path_ = path;
  progress.fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (!progress.fd_) return fail(errno_message("cannot open " + path.string(), errno));
  if (::flock(progress.fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return fail("another dbkeep is loading this backup into this server (progress file " +
                      path.string() + " is locked)",
                  ErrorKind::kLocked);
    }
    return fail(errno_message("cannot lock " + path.string(), errno));
  }
  TRY_ASSIGN(auto text, read_all(progress.fd_.get(), path));
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    progress.apply(std::string_view(text).substr(start, end - start));
  }
  return progress;
}

LoadProgress::LoadProgress(LoadProgress&&) noexcept = default;
LoadProgress& LoadProgress::operator=(LoadProgress&&) noexcept = default;
LoadProgress::~LoadProgress() = default;

void LoadProgress::apply(std::string_view line) {
  if (header_.empty()) {
    header_ = line;
    return;
  }
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return;
  const std::string_view verb = line.substr(0, space);
  const std::string key(line.substr(space + 1));
  if (verb == kBegin) {
    done_.erase(std::string(kChunk) + " " + key);
    in_doubt_.insert(key);
    return;
  }
  if (verb == kChunk) in_doubt_.erase(key);
  done_.insert(std::string(line));
}

Result<void> LoadProgress::start(const std::string& header) {
  std::lock_guard lock(*mutex_);
  if (::ftruncate(fd_.get(), 0) != 0) {
    return fail(errno_message("cannot truncate " + path_.string(), errno));
  }
  if (::fchmod(fd_.get(), 0600) != 0) {
    return fail(errno_message("cannot chmod " + path_.string(), errno));
  }
  header_.clear();
  done_.clear();
  in_doubt_.clear();
  const std::string line = header + "\n";
  TRY(core::write_fully(fd_.get(), std::as_bytes(std::span(line.data(), line.size())), path_));
  if (::fsync(fd_.get()) != 0) {
    return fail(core::write_error_message(path_, errno));
  }
  header_ = header;
  return core::sync_directory(path_.parent_path());
}

bool LoadProgress::done(std::string_view verb, const std::string& key) const {
  return done_.contains(std::string(verb) + " " + key);
}

bool LoadProgress::in_doubt(const std::string& chunk) const {
  return in_doubt_.contains(chunk);
}

Result<void> LoadProgress::record(std::string_view verb, const std::string& key) {
  const std::string line = std::string(verb) + " " + key;
  std::lock_guard lock(*mutex_);
  const std::string text = line + "\n";
  TRY(core::write_fully(fd_.get(), std::as_bytes(std::span(text.data(), text.size())), path_));
  if (::fdatasync(fd_.get()) != 0) {
    return fail(core::write_error_message(path_, errno));
  }
  apply(line);
  return {};
}

Result<void> LoadProgress::remove() {
  std::error_code error;
  std::filesystem::remove(path_, error);
  if (error) return fail("cannot remove " + path_.string() + ": " + error.message());
  return {};
}

}  // namespace dbkeep::restore::logical
