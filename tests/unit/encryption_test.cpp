// The secretstream stage on its own: round trips across chunk boundaries, and every kind of
// damage (bit flips, truncation, extra data, reordered or foreign chunks, wrong key) refused.

#include "dbkeep/pipeline/encryption.hpp"

#include <gtest/gtest.h>

#include "support/byte_streams.hpp"

namespace dbkeep::pipeline {
namespace {

using test::mixed_data;
using test::StringSink;
using test::write_in_odd_chunks;

constexpr std::size_t kChunk = kEncryptionChunkSize;
constexpr std::size_t kHeader = kEncryptionHeaderSize;
constexpr std::size_t kSealed = kEncryptionChunkSize + kEncryptionOverhead;

std::string encrypt(const EncryptionKey& key, std::string_view plaintext) {
  StringSink sink;
  auto encryptor = make_encryptor(key, sink);
  auto written = write_in_odd_chunks(*encryptor, plaintext);
  EXPECT_TRUE(written) << written.error().message;
  EXPECT_TRUE(sink.finished);
  return sink.content;
}

Result<std::string> decrypt(const EncryptionKey& key, std::string_view ciphertext) {
  StringSink sink;
  auto decryptor = make_decryptor(key, sink);
  TRY(write_in_odd_chunks(*decryptor, ciphertext));
  return sink.content;
}

void expect_rejected(const Result<std::string>& result, const std::string& why) {
  ASSERT_FALSE(result) << why;
  EXPECT_EQ(result.error().kind, ErrorKind::kVerification) << why;
}

TEST(EncryptionTest, RoundTripsAcrossChunkBoundaries) {
  auto key = EncryptionKey::generate();
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, kChunk - 1, kChunk, kChunk + 1,
                           3 * kChunk, std::size_t{5 * 1024 * 1024 + 7}}) {
    std::string plaintext = mixed_data(size, size + 1);
    std::string ciphertext = encrypt(key, plaintext);
    EXPECT_EQ(ciphertext.size(), encrypted_size(size)) << size;
    auto decrypted = decrypt(key, ciphertext);
    ASSERT_TRUE(decrypted) << size << ": " << decrypted.error().message;
    EXPECT_EQ(*decrypted, plaintext) << size;
  }
}

TEST(EncryptionTest, SamePlaintextTwiceGivesDifferentCiphertext) {
  auto key = EncryptionKey::generate();
  EXPECT_NE(encrypt(key, "same"), encrypt(key, "same"));  // random stream header per object
}

TEST(EncryptionTest, CiphertextDoesNotContainThePlaintext) {
  auto key = EncryptionKey::generate();
  std::string marker = "MARKER-ROW-4711";
  std::string plaintext;
  for (int i = 0; i < 10000; ++i) plaintext += marker;
  EXPECT_EQ(encrypt(key, plaintext).find(marker), std::string::npos);
}

TEST(EncryptionTest, EveryFlippedBitIsDetected) {
  auto key = EncryptionKey::generate();
  std::string ciphertext = encrypt(key, mixed_data(100, 7));
  for (std::size_t bit = 0; bit < ciphertext.size() * 8; ++bit) {
    std::string damaged = ciphertext;
    damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (1 << (bit % 8)));
    expect_rejected(decrypt(key, damaged), "bit " + std::to_string(bit));
  }
}

TEST(EncryptionTest, FlippedBitsInEveryChunkOfALargeObjectAreDetected) {
  auto key = EncryptionKey::generate();
  std::string ciphertext = encrypt(key, mixed_data(3 * kChunk + 100, 8));
  for (std::size_t position = 0; position < ciphertext.size(); position += 4099) {
    std::string damaged = ciphertext;
    damaged[position] = static_cast<char>(damaged[position] ^ 0x10);
    expect_rejected(decrypt(key, damaged), "byte " + std::to_string(position));
  }
}

TEST(EncryptionTest, EveryTruncationIsDetected) {
  auto key = EncryptionKey::generate();
  std::string ciphertext = encrypt(key, mixed_data(2 * kChunk + 10, 9));
  // Every length through the header and into the first chunk, then a spread through the
  // object, and every length around each chunk boundary and the end.
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n < kHeader + 64; ++n) lengths.push_back(n);
  for (std::size_t n = kHeader + 64; n < ciphertext.size(); n += 997) lengths.push_back(n);
  for (std::size_t boundary : {kHeader + kSealed, kHeader + 2 * kSealed, ciphertext.size()}) {
    for (std::size_t n = boundary - 3; n < boundary; ++n) lengths.push_back(n);
    if (boundary < ciphertext.size()) lengths.push_back(boundary);
  }
  for (std::size_t n : lengths) {
    expect_rejected(decrypt(key, std::string_view(ciphertext).substr(0, n)),
                    "cut at " + std::to_string(n));
  }
}

TEST(EncryptionTest, TheFinalChunkMissingAtAChunkBoundaryIsDetected) {
  auto key = EncryptionKey::generate();
  std::string ciphertext = encrypt(key, mixed_data(2 * kChunk, 10));  // the second is final
  ASSERT_EQ(ciphertext.size(), kHeader + 2 * kSealed);
  auto cut = decrypt(key, std::string_view(ciphertext).substr(0, kHeader + kSealed));
  expect_rejected(cut, "final chunk dropped");
  EXPECT_NE(cut.error().message.find("truncated"), std::string::npos) << cut.error().message;
}

TEST(EncryptionTest, DataAfterTheFinalChunkIsRefused) {
  auto key = EncryptionKey::generate();
  expect_rejected(decrypt(key, encrypt(key, "hello") + "x"), "trailing byte");
}

TEST(EncryptionTest, ReorderedOrForeignChunksAreDetected) {
  auto key = EncryptionKey::generate();
  std::string a = encrypt(key, mixed_data(3 * kChunk, 11));
  std::string b = encrypt(key, mixed_data(3 * kChunk, 12));
  std::string swapped = a;  // chunks 0 and 1 of a exchanged
  swapped.replace(kHeader, kSealed, a, kHeader + kSealed, kSealed);
  swapped.replace(kHeader + kSealed, kSealed, a, kHeader, kSealed);
  expect_rejected(decrypt(key, swapped), "reordered chunks");
  std::string foreign = a;  // chunk 1 taken from another backup's object
  foreign.replace(kHeader + kSealed, kSealed, b, kHeader + kSealed, kSealed);
  expect_rejected(decrypt(key, foreign), "chunk from another object");
  std::string other_header = b.substr(0, kHeader) + a.substr(kHeader);
  expect_rejected(decrypt(key, other_header), "header from another object");
}

TEST(EncryptionTest, AnotherKeyIsRejectedNamingBothKeyIds) {
  auto key = EncryptionKey::generate();
  auto other = EncryptionKey::generate();
  auto result = decrypt(other, encrypt(key, "secret"));
  expect_rejected(result, "other key");
  EXPECT_NE(result.error().message.find(key.id_hex()), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find(other.id_hex()), std::string::npos);
}

TEST(EncryptionTest, PlaintextIsNotMistakenForAnEncryptedObject) {
  auto key = EncryptionKey::generate();
  expect_rejected(decrypt(key, std::string(100, 'a')), "plaintext");
  expect_rejected(decrypt(key, ""), "empty object");
}

TEST(EncryptionTest, KeyIdDependsOnTheKeyOnly) {
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = 1;
  auto a = EncryptionKey::from_bytes(bytes);
  auto b = EncryptionKey::from_bytes(bytes);
  EXPECT_EQ(a.id_hex(), b.id_hex());
  EXPECT_EQ(a.id_hex().size(), 16U);
  EXPECT_NE(a.id_hex(), EncryptionKey::generate().id_hex());
}

}  // namespace
}  // namespace dbkeep::pipeline
