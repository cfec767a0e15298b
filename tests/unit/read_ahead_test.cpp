#include "dbkeep/pipeline/read_ahead.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

namespace dbkeep::pipeline {
namespace {

// Produces `total` bytes of a pattern, at most 7 per read; fails after `fail_after` bytes.
class PatternSource final : public ByteSource {
 public:
  PatternSource(std::size_t total, std::size_t fail_after = SIZE_MAX)
      : total_(total), fail_after_(fail_after) {}
  Result<std::size_t> read(std::span<std::byte> buffer) override {
    if (produced_ >= fail_after_) return fail("source broke");
    std::size_t take = std::min({buffer.size(), total_ - produced_, std::size_t{7}});
    for (std::size_t i = 0; i < take; ++i) buffer[i] = pattern(produced_ + i);
    produced_ += take;
    return take;
  }
  static std::byte pattern(std::size_t at) { return static_cast<std::byte>((at * 31) % 251); }

 private:
  std::size_t total_, fail_after_, produced_ = 0;
};

// A PatternSource that counts what has been read from it, from any thread.
class CountingPatternSource final : public ByteSource {
 public:
  explicit CountingPatternSource(std::size_t total) : pattern_(total) {}
  Result<std::size_t> read(std::span<std::byte> buffer) override {
    auto got = pattern_.read(buffer);
    if (got) bytes_read_ += *got;
    return got;
  }
  [[nodiscard]] std::size_t bytes_read() const { return bytes_read_; }

 private:
  PatternSource pattern_;
  std::atomic<std::size_t> bytes_read_ = 0;
};

TEST(ReadAheadSource, PassesEveryByteInOrder) {
  PatternSource inner(100'003);
  ReadAheadSource ahead(inner, 4096);
  std::vector<std::byte> buffer(1000);
  std::size_t at = 0;
  for (;;) {
    auto got = ahead.read(buffer);
    ASSERT_TRUE(got.has_value());
    if (*got == 0) break;
    for (std::size_t i = 0; i < *got; ++i) ASSERT_EQ(buffer[i], PatternSource::pattern(at + i));
    at += *got;
  }
  EXPECT_EQ(at, 100'003U);
}

TEST(ReadAheadSource, ReportsTheInnerError) {
  PatternSource inner(1'000'000, 50'000);
  ReadAheadSource ahead(inner, 4096);
  std::vector<std::byte> buffer(4096);
  std::optional<Error> error;
  for (int i = 0; i < 1000 && !error; ++i) {
    auto got = ahead.read(buffer);
    if (!got)
      error = got.error();
    else
      ASSERT_GT(*got, 0U) << "ended without the error";
  }
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("source broke"), std::string::npos);
}

// Dropped after one small read, the source stops its thread within a bounded time and has
// read at most the blocks it holds (the one being read out, the one handed over, the one it
// was filling): not the rest of the inner source.
TEST(ReadAheadSource, StopsReadingTheInnerSourceWhenDroppedEarly) {
  constexpr std::size_t kBlock = 4096;
  auto inner = std::make_shared<CountingPatternSource>(10'000'000);
  auto ahead = std::make_shared<ReadAheadSource>(*inner, kBlock);
  std::vector<std::byte> buffer(10);
  ASSERT_TRUE(ahead->read(buffer).has_value());

  // Destroy it on another thread so that a hang fails the test instead of stalling it (the
  // thread then keeps both objects alive, and the process exits past it).
  std::promise<void> destroyed;
  auto done = destroyed.get_future();
  std::thread([ahead = std::move(ahead), inner, destroyed = std::move(destroyed)]() mutable {
    ahead.reset();
    destroyed.set_value();
  }).detach();
  ASSERT_EQ(done.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "the read-ahead thread did not stop";
  EXPECT_LE(inner->bytes_read(), 3 * kBlock);
}

}  // namespace
}  // namespace dbkeep::pipeline
