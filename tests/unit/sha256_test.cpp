#include "dbkeep/core/sha256.hpp"

#include <gtest/gtest.h>

#include "support/byte_streams.hpp"

namespace dbkeep::core {
namespace {

using test::bytes_of;

// FIPS 180-2 / NIST example vectors.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(sha256_hex(bytes_of("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(bytes_of("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(bytes_of(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, IncrementalUpdatesMatchOneShot) {
  std::string data = test::mixed_data(200000, 11);
  for (std::size_t piece : {1, 63, 64, 65, 4096, 199999}) {
    Sha256 hash;
    for (std::size_t offset = 0; offset < data.size(); offset += piece) {
      hash.update(bytes_of(std::string_view(data).substr(offset, piece)));
    }
    EXPECT_EQ(hash.finish_hex(), sha256_hex(bytes_of(data))) << "piece " << piece;
  }
}

TEST(Sha256Test, OneChangedBitChangesTheDigest) {
  std::string data = test::mixed_data(5000, 12);
  std::string changed = data;
  changed[2500] = static_cast<char>(changed[2500] ^ 0x01);
  EXPECT_NE(sha256_hex(bytes_of(data)), sha256_hex(bytes_of(changed)));
}

TEST(Sha256Test, MovedHashKeepsItsState) {
  Sha256 first;
  first.update(bytes_of("ab"));
  Sha256 second = std::move(first);
  second.update(bytes_of("c"));
  EXPECT_EQ(second.finish_hex(), sha256_hex(bytes_of("abc")));
}

}  // namespace
}  // namespace dbkeep::core
