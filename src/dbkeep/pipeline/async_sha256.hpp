#pragma once
// SHA-256 on a thread of its own, so that hashing a block overlaps compressing it.
//
// Without SHA instructions in the CPU, SHA-256 runs at a few hundred MB/s — slower than zstd -1
// on two threads — so hashing on the thread that feeds the compressor made it the bottleneck of
// a single large stream (the physical method's one xbstream). Contract: a block handed to
// update() must stay unchanged until the next update() or finish_hex() returns; callers
// alternate between two buffers. Memory: none beyond the caller's buffers. The first block is
// hashed on the caller's thread and the thread starts with the second, so the many small files
// of a datadir cost no thread at all. OpenSSL fails SHA-256 only when out of memory; on its
// thread that ends the process, as an allocation failure would.

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "dbkeep/pipeline/sha256.hpp"

namespace dbkeep::pipeline {

class AsyncSha256 {
 public:
  AsyncSha256() = default;
  AsyncSha256(const AsyncSha256&) = delete;
  AsyncSha256& operator=(const AsyncSha256&) = delete;
  ~AsyncSha256();  // waits for the block in hand, then stops the thread

  // Waits until the previous block is hashed, then starts hashing `block` and returns.
  void update(std::span<const std::byte> block);
  // Waits for the last block; the object must not be updated afterwards.
  std::string finish_hex();

 private:
  void wait_idle(std::unique_lock<std::mutex>& lock);
  void run();

  Sha256 hash_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::span<const std::byte> pending_;
  bool has_pending_ = false;
  bool stopping_ = false;
  bool hashed_first_block_ = false;
  std::thread thread_;  // started by the second update()
};

}  // namespace dbkeep::pipeline
