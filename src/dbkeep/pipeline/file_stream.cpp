#include "dbkeep/pipeline/file_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "dbkeep/core/fd_io.hpp"

namespace dbkeep::pipeline {

Result<FileSource> FileSource::open(const std::filesystem::path& path) {
  core::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail(errno_message("opening " + path.string(), errno));
  return FileSource(path, std::move(fd));
}

Result<std::size_t> FileSource::read(std::span<std::byte> buffer) {
  return core::read_some(fd_.get(), buffer, path_);
}

Result<FileSink> FileSink::create(const std::filesystem::path& path) {
  core::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (!fd) return fail(errno_message("creating " + path.string(), errno));
  return FileSink(path, std::move(fd));
}

Result<void> FileSink::write(std::span<const std::byte> data) {
  return core::write_fully(fd_.get(), data, path_);
}

Result<void> FileSink::finish() {
  if (::fsync(fd_.get()) != 0) return fail(core::write_error_message(path_, errno));
  return {};
}

}  // namespace dbkeep::pipeline
