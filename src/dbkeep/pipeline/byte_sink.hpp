#pragma once
// The pipeline is a chain of ByteSinks: each stage transforms what it is given and forwards it
// to the next one (compress → count → storage writer). Memory stays bounded because every
// stage works on fixed-size buffers, never on a whole file.

#include <cstddef>
#include <span>

#include "dbkeep/core/error.hpp"

namespace dbkeep::pipeline {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Result<void> write(std::span<const std::byte> data) = 0;
  // Flushes everything buffered downstream and finishes the stream (e.g. zstd end frame).
  // Does not commit a storage writer; the caller does that once the whole chain finished.
  virtual Result<void> finish() = 0;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to buffer.size() bytes; returns 0 only at end of stream.
  virtual Result<std::size_t> read(std::span<std::byte> buffer) = 0;
};

}  // namespace dbkeep::pipeline
