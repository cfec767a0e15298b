#pragma once
// A ByteSource that reports every read to a callback, e.g. a core::ProgressMeter for a stream
// whose bytes are stored as they arrive (mariabackup's output).

#include <cstdint>
#include <functional>

#include "dbkeep/pipeline/byte_sink.hpp"

namespace dbkeep::pipeline {

class CountingSource final : public ByteSource {
 public:
  CountingSource(ByteSource& inner, std::function<void(std::uint64_t)> on_bytes)
      : inner_(inner), on_bytes_(std::move(on_bytes)) {}

  Result<std::size_t> read(std::span<std::byte> buffer) override {
    auto got = inner_.read(buffer);
    if (got && *got > 0 && on_bytes_) on_bytes_(*got);
    return got;
  }

 private:
  ByteSource& inner_;
  std::function<void(std::uint64_t)> on_bytes_;
};

}  // namespace dbkeep::pipeline
