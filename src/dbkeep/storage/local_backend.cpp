#include "dbkeep/storage/local_backend.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <random>
#include <system_error>

#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/private_directory.hpp"
#include "dbkeep/storage/key.hpp"

namespace dbkeep::storage {
namespace fs = std::filesystem;

namespace {

constexpr mode_t kFileMode = 0600;

std::string temp_name_for(const fs::path& target) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, ".tmp-%ld-%016llx", static_cast<long>(::getpid()),
                static_cast<unsigned long long>(random()));
  return "." + target.filename().string() + suffix;
}

class LocalWriter final : public Writer {
 public:
  LocalWriter(fs::path target, fs::path temp, core::Fd fd)
      : target_(std::move(target)), temp_(std::move(temp)), fd_(std::move(fd)) {}
  LocalWriter(const LocalWriter&) = delete;
  LocalWriter& operator=(const LocalWriter&) = delete;
  ~LocalWriter() override {
    if (!committed_) ::unlink(temp_.c_str());  // nothing is left under the key or beside it
  }

  Result<void> write(std::span<const std::byte> data) override {
    if (!fd_) return fail("write to " + target_.string() + " after commit");
    return core::write_fully(fd_.get(), data, target_);
  }

  Result<void> commit() override {
    if (!fd_) return fail("commit of " + target_.string() + " twice");
    // fsync and close can report a delayed ENOSPC (e.g. NFS, delayed allocation).
    if (::fsync(fd_.get()) != 0) return fail(core::write_error_message(target_, errno));
    if (::close(fd_.release()) != 0) return fail(core::write_error_message(target_, errno));
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
      return fail(errno_message("renaming into place " + target_.string(), errno));
    }
    committed_ = true;
    return core::sync_directory(target_.parent_path());
  }

 private:
  fs::path target_;
  fs::path temp_;
  core::Fd fd_;
  bool committed_ = false;
};

class LocalReader final : public Reader {
 public:
  LocalReader(fs::path path, core::Fd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  Result<std::size_t> read(std::span<std::byte> buffer) override {
    return core::read_some(fd_.get(), buffer, path_);
  }

 private:
  fs::path path_;
  core::Fd fd_;
};

}  // namespace

LocalBackend::LocalBackend(fs::path root) : root_(std::move(root)) {}

bool LocalBackend::is_temp_name(std::string_view file_name) {
  return file_name.starts_with('.') && file_name.find(".tmp-") != std::string_view::npos;
}

Result<fs::path> LocalBackend::path_of(std::string_view key) const {
  TRY(check_key(key));  // relative, no "..": the path stays under root_
  return root_ / fs::path(key);
}

Result<std::unique_ptr<Writer>> LocalBackend::create(std::string_view key) {
  TRY_ASSIGN(fs::path target, path_of(key));
  TRY(core::create_private_directories(target.parent_path()));
  fs::path temp = target.parent_path() / temp_name_for(target);
  core::Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kFileMode));
  if (!fd) return fail(errno_message("creating " + temp.string(), errno));
  if (::fchmod(fd.get(), kFileMode) != 0) {  // exactly 0600, whatever the umask
    int error_number = errno;
    ::unlink(temp.c_str());
    return fail(errno_message("chmod " + temp.string(), error_number));
  }
  return std::make_unique<LocalWriter>(std::move(target), std::move(temp), std::move(fd));
}

Result<std::unique_ptr<Reader>> LocalBackend::open(std::string_view key) {
  TRY_ASSIGN(fs::path path, path_of(key));
  core::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd && errno == ENOENT) return fail(path.string() + " not found");
  if (!fd) return fail(errno_message("opening " + path.string(), errno));
  return std::make_unique<LocalReader>(std::move(path), std::move(fd));
}

Result<bool> LocalBackend::exists(std::string_view key) {
  TRY_ASSIGN(fs::path path, path_of(key));
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) return S_ISREG(info.st_mode);
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return fail(errno_message("stat " + path.string(), errno));
}

Result<std::vector<ObjectInfo>> LocalBackend::list(std::string_view prefix) {
  TRY(check_prefix(prefix));
  // Walk only the deepest directory the prefix names, then filter by the full prefix.
  fs::path start = root_ / fs::path(prefix.substr(0, prefix.rfind('/') + 1));
  std::vector<ObjectInfo> objects;
  std::error_code error;
  if (!fs::is_directory(start, error)) return objects;
  for (fs::recursive_directory_iterator it(start, error), end; !error && it != end;
       it.increment(error)) {
    if (!it->is_regular_file(error) || is_temp_name(it->path().filename().string())) continue;
    std::string key = it->path().lexically_relative(root_).generic_string();
    if (!key.starts_with(prefix)) continue;
    std::uint64_t size = it->file_size(error);
    if (error) break;
    objects.push_back(ObjectInfo{std::move(key), size});
  }
  if (error) return fail("listing " + start.string() + ": " + error.message());
  std::ranges::sort(objects, {}, &ObjectInfo::key);
  return objects;
}

Result<std::vector<std::string>> LocalBackend::list_children(std::string_view prefix) {
  TRY(check_prefix(prefix));
  fs::path directory = root_ / fs::path(prefix);
  std::vector<std::string> children;
  std::error_code error;
  if (!fs::is_directory(directory, error)) return children;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    if (it->is_directory(error)) children.push_back(it->path().filename().string());
  }
  if (error) return fail("listing " + directory.string() + ": " + error.message());
  std::ranges::sort(children);
  return children;
}

Result<void> LocalBackend::remove(std::string_view key) {
  TRY_ASSIGN(fs::path path, path_of(key));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return fail(errno_message("removing " + path.string(), errno));
  }
  return {};
}

Result<void> LocalBackend::remove_prefix(std::string_view prefix) {
  TRY(check_prefix(prefix));
  if (prefix.empty()) return usage_error("refusing to remove an empty prefix (everything)");
  if (prefix.ends_with('/')) {
    fs::path directory = root_ / fs::path(prefix);
    std::error_code error;
    fs::remove_all(directory, error);
    if (error) return fail("removing " + directory.string() + ": " + error.message());
    return {};
  }
  TRY_ASSIGN(auto objects, list(prefix));
  for (const auto& object : objects) TRY(remove(object.key));
  return {};
}

Result<std::optional<std::uint64_t>> LocalBackend::free_bytes() {
  // The root may not exist before the first backup: ask about the filesystem it will be on.
  fs::path probe = root_;
  std::error_code error;
  while (!probe.empty() && !fs::exists(probe, error)) probe = probe.parent_path();
  if (probe.empty()) probe = ".";
  struct statvfs info {};
  if (::statvfs(probe.c_str(), &info) != 0) {
    return fail(errno_message("statvfs " + probe.string(), errno));
  }
  return std::optional<std::uint64_t>(std::uint64_t{info.f_bavail} * info.f_frsize);
}

}  // namespace dbkeep::storage
