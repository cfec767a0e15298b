#pragma once
// A ByteSource that reads its inner source on a thread of its own, one block ahead, so that
// producing bytes (e.g. fetching and formatting rows) overlaps with consuming them (hashing,
// compressing, writing). Memory: two blocks.

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "dbkeep/pipeline/byte_sink.hpp"

namespace dbkeep::pipeline {

class ReadAheadSource final : public ByteSource {
 public:
  // `inner` must outlive this object and is only used by its thread until destruction.
  explicit ReadAheadSource(ByteSource& inner, std::size_t block_size = 1024 * 1024);
  ReadAheadSource(const ReadAheadSource&) = delete;
  ReadAheadSource& operator=(const ReadAheadSource&) = delete;
  ~ReadAheadSource() override;  // stops and joins the thread

  Result<std::size_t> read(std::span<std::byte> buffer) override;

 private:
  struct Block {
    std::vector<std::byte> bytes;
    std::size_t size = 0;
  };
  void produce();

  ByteSource& inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  Block filled_;  // handed from the thread to read(); valid when has_filled_
  bool has_filled_ = false;
  bool ended_ = false;  // the thread will produce nothing more
  bool stopping_ = false;
  std::optional<Error> error_;
  std::vector<std::byte> current_;  // the block read() is copying out of
  std::size_t current_size_ = 0;
  std::size_t current_offset_ = 0;
  std::size_t block_size_;
  std::thread thread_;
};

}  // namespace dbkeep::pipeline
