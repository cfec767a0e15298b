#include "dbkeep/pipeline/read_ahead.hpp"

#include <algorithm>
#include <cstring>

namespace dbkeep::pipeline {

ReadAheadSource::ReadAheadSource(ByteSource& inner, std::size_t block_size)
    : inner_(inner), block_size_(std::max<std::size_t>(block_size, 4096)) {
  thread_ = std::thread([this] { produce(); });
}

ReadAheadSource::~ReadAheadSource() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void ReadAheadSource::produce() {
  std::vector<std::byte> block(block_size_);
  for (;;) {
    // Fill a whole block (the inner source may return less per call).
    std::size_t size = 0;
    std::optional<Error> failed;
    while (size < block.size()) {
      auto got = inner_.read(std::span(block).subspan(size));
      if (!got) {
        failed = got.error();
        break;
      }
      if (*got == 0) break;
      size += *got;
    }
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !has_filled_ || stopping_; });
    if (stopping_) return;
    if (failed) {
      error_ = std::move(failed);
      ended_ = true;
    } else if (size == 0) {
      ended_ = true;
    } else {
      std::swap(filled_.bytes, block);
      filled_.size = size;
      has_filled_ = true;
      if (block.size() != block_size_) block.resize(block_size_);
    }
    const bool done = ended_;
    lock.unlock();
    changed_.notify_all();
    if (done) return;
  }
}

Result<std::size_t> ReadAheadSource::read(std::span<std::byte> buffer) {
  std::size_t written = 0;
  while (written < buffer.size()) {
    if (current_offset_ == current_size_) {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return has_filled_ || ended_; });
      if (!has_filled_) {
        if (error_ && written == 0) return propagate(*error_);
        break;
      }
      std::swap(current_, filled_.bytes);
      current_size_ = filled_.size;
      current_offset_ = 0;
      has_filled_ = false;
      lock.unlock();
      changed_.notify_all();
    }
    const std::size_t take = std::min(buffer.size() - written, current_size_ - current_offset_);
    std::memcpy(buffer.data() + written, current_.data() + current_offset_, take);
    written += take;
    current_offset_ += take;
  }
  return written;
}

}  // namespace dbkeep::pipeline
