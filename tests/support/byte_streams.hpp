#pragma once
// In-memory pipeline ends and test data for the pipeline and storage tests.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "dbkeep/pipeline/byte_sink.hpp"

namespace dbkeep::test {

inline std::span<const std::byte> bytes_of(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

// `size` bytes from `seed`: random stretches mixed with repeated runs, so compressors have
// both something to find and something they cannot shrink.
std::string mixed_data(std::size_t size, std::uint64_t seed);

// Collects everything written; remembers whether finish() was called.
class StringSink final : public pipeline::ByteSink {
 public:
  Result<void> write(std::span<const std::byte> data) override;
  Result<void> finish() override;
  std::string content;
  bool finished = false;
};

// Serves `content` in reads of at most `max_read` bytes (to vary chunk boundaries).
class StringSource final : public pipeline::ByteSource {
 public:
  explicit StringSource(std::string content, std::size_t max_read = SIZE_MAX)
      : content_(std::move(content)), max_read_(max_read) {}
  Result<std::size_t> read(std::span<std::byte> buffer) override;

 private:
  std::string content_;
  std::size_t max_read_;
  std::size_t position_ = 0;
};

// Writes `data` into `sink` in chunks whose sizes cycle through awkward values, then finishes.
Result<void> write_in_odd_chunks(pipeline::ByteSink& sink, std::string_view data);

}  // namespace dbkeep::test
