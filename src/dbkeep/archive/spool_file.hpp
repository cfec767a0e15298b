#pragma once
// A binlog file that `mariadb-binlog --raw --stop-never` is still writing, read event by
// event as it grows. Only complete events are handed on: an event whose last byte has not
// arrived yet is read again on the next call. Event bodies are read only for the types whose
// content the archive looks at (format description, rotate, query, GTID); the others are
// skipped over by their size, so memory does not grow with row events.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <vector>

#include "dbkeep/archive/binlog_events.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/core/fd.hpp"

namespace dbkeep::archive {

struct SpoolEvent {
  EventHeader header;
  std::uint64_t offset = 0;          // where the event starts in the spool file
  std::span<const std::byte> bytes;  // the whole event, for the types named above; else empty
};

class SpoolFile {
 public:
  static Result<SpoolFile> open(const std::filesystem::path& path);

  using EventHandler = std::function<Result<void>(const SpoolEvent&)>;
  // Hands every complete event after the last one read to `handler`, in order. Returns how many
  // events it handed on.
  Result<std::size_t> read_available(const EventHandler& handler);

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::uint64_t offset() const { return offset_; }  // after the last event read
  [[nodiscard]] int fd() const { return fd_.get(); }

 private:
  SpoolFile(std::filesystem::path path, core::Fd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::filesystem::path path_;
  core::Fd fd_;
  std::uint64_t offset_ = 0;
  std::vector<std::byte> buffer_;
};

// True for the event types whose body SpoolFile reads.
bool needs_event_body(const EventHeader& header);

}  // namespace dbkeep::archive
