#include "dbkeep/pipeline/async_sha256.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "support/byte_streams.hpp"

namespace dbkeep::pipeline {
namespace {

using test::bytes_of;

// Feeds `data` in pieces through two alternating buffers, overwriting each buffer only after
// the next update() returned — the contract store_stream relies on.
std::string hash_through_two_buffers(const std::string& data, std::size_t piece) {
  std::array<std::vector<std::byte>, 2> buffers{std::vector<std::byte>(piece),
                                                std::vector<std::byte>(piece)};
  AsyncSha256 hash;
  std::size_t turn = 0;
  for (std::size_t offset = 0; offset < data.size(); offset += piece, turn ^= 1) {
    const std::size_t size = std::min(piece, data.size() - offset);
    std::memcpy(buffers[turn].data(), data.data() + offset, size);
    hash.update(std::span(buffers[turn]).first(size));
  }
  return hash.finish_hex();
}

TEST(AsyncSha256Test, AlternatingBuffersGiveTheOneShotDigest) {
  const std::string data = test::mixed_data(3 * 1024 * 1024 + 17, 5);
  const std::string expected = sha256_hex(bytes_of(data));
  for (std::size_t piece : {1000, 65536, 1024 * 1024, 4 * 1024 * 1024}) {
    EXPECT_EQ(hash_through_two_buffers(data, piece), expected) << "piece " << piece;
  }
}

TEST(AsyncSha256Test, NoBlocksIsTheEmptyDigest) {
  AsyncSha256 hash;
  EXPECT_EQ(hash.finish_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(AsyncSha256Test, DestroyedMidStreamWaitsForItsBlock) {
  const std::string data = test::mixed_data(8 * 1024 * 1024, 9);
  auto hash = std::make_unique<AsyncSha256>();
  hash->update(bytes_of(data).first(1024));
  hash->update(bytes_of(data).subspan(1024));  // a large block in hand on the thread
  hash.reset();                                // must join without touching freed memory
  SUCCEED();
}

}  // namespace
}  // namespace dbkeep::pipeline
