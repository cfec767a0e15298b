#include "dbkeep/pipeline/async_sha256.hpp"

namespace dbkeep::pipeline {

AsyncSha256::~AsyncSha256() {
  if (!thread_.joinable()) return;
  {
    std::unique_lock lock(mutex_);
    wait_idle(lock);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void AsyncSha256::wait_idle(std::unique_lock<std::mutex>& lock) {
  changed_.wait(lock, [this] { return !has_pending_; });
}

void AsyncSha256::update(std::span<const std::byte> block) {
  if (!hashed_first_block_) {
    hash_.update(block);
    hashed_first_block_ = true;
    return;
  }
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  {
    std::unique_lock lock(mutex_);
    wait_idle(lock);
    pending_ = block;
    has_pending_ = true;
  }
  changed_.notify_all();
}

std::string AsyncSha256::finish_hex() {
  std::unique_lock lock(mutex_);
  wait_idle(lock);
  return hash_.finish_hex();
}

void AsyncSha256::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return has_pending_ || stopping_; });
    if (!has_pending_) return;  // stopping with nothing in hand
    const auto block = pending_;
    lock.unlock();
    hash_.update(block);  // only this thread touches hash_ while a block is pending
    lock.lock();
    has_pending_ = false;
    changed_.notify_all();
  }
}

}  // namespace dbkeep::pipeline
