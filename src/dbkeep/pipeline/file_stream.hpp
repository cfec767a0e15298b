#pragma once
// Files on disk as pipeline ends: a FileSource to read from, a FileSink to restore into.

#include <filesystem>

#include "dbkeep/core/fd.hpp"
#include "dbkeep/pipeline/byte_sink.hpp"

namespace dbkeep::pipeline {

class FileSource final : public ByteSource {
 public:
  static Result<FileSource> open(const std::filesystem::path& path);
  Result<std::size_t> read(std::span<std::byte> buffer) override;

 private:
  FileSource(std::filesystem::path path, core::Fd fd)
      : path_(std::move(path)), fd_(std::move(fd)) {}
  std::filesystem::path path_;
  core::Fd fd_;
};

// Writes into `path`, created (0640) or truncated. finish() fsyncs, so a caller that renames
// the file afterwards publishes complete content.
class FileSink final : public ByteSink {
 public:
  static Result<FileSink> create(const std::filesystem::path& path);
  Result<void> write(std::span<const std::byte> data) override;
  Result<void> finish() override;

 private:
  FileSink(std::filesystem::path path, core::Fd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::filesystem::path path_;
  core::Fd fd_;
};

}  // namespace dbkeep::pipeline
