#pragma once
// Encryption as pipeline stages: crypto_secretstream_xchacha20poly1305 (libsodium) over
// fixed-size plaintext chunks. The byte format is specified in docs/encryption-format.md:
//
//   header   "DBKENC" | version 0x01 | log2(chunk size) | key id (8) | secretstream header (24)
//   messages one per plaintext chunk of kEncryptionChunkSize bytes (ciphertext = chunk + 17);
//            the last one is shorter or empty and carries TAG_FINAL.
//   additional data of every message: the first 16 header bytes (magic … key id)
//
// So a flipped bit anywhere, a truncated object, data after the final chunk, chunks reordered or
// taken from another object, and a key mismatch are all detected; every such failure is an
// ErrorKind::kVerification error. Memory per stage: one chunk.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "dbkeep/pipeline/byte_sink.hpp"

namespace dbkeep::pipeline {

inline constexpr std::size_t kEncryptionChunkSize = 64 * 1024;
inline constexpr std::size_t kEncryptionHeaderSize = 16 + 24;
inline constexpr std::size_t kEncryptionOverhead = 17;  // per chunk (crypto_secretstream ABYTES)

// A 256-bit repository master key. Zeroed on destruction; never logged.
class EncryptionKey {
 public:
  static constexpr std::size_t kSize = 32;
  using Bytes = std::array<std::uint8_t, kSize>;
  using Id = std::array<std::uint8_t, 8>;

  static EncryptionKey generate();  // from the system CSPRNG
  static EncryptionKey from_bytes(std::span<const std::uint8_t, kSize> bytes);
  EncryptionKey(const EncryptionKey& other) = default;
  EncryptionKey& operator=(const EncryptionKey& other) = default;
  ~EncryptionKey();

  [[nodiscard]] const Bytes& bytes() const { return bytes_; }
  // Public identifier: BLAKE2b-64 keyed with the key over "dbkeep key id". Reveals nothing.
  [[nodiscard]] const Id& id() const { return id_; }
  [[nodiscard]] std::string id_hex() const;

 private:
  EncryptionKey() = default;
  void derive_id();
  Bytes bytes_{};
  Id id_{};
};

// Stored size of `plaintext_size` bytes once encrypted.
std::uint64_t encrypted_size(std::uint64_t plaintext_size);

// Encrypts everything written into `downstream`; finish() writes the final chunk and then
// finishes `downstream`. `key` and `downstream` must outlive the stage.
std::unique_ptr<ByteSink> make_encryptor(const EncryptionKey& key, ByteSink& downstream);
// Decrypts into `downstream` (ciphertext may arrive in pieces of any size). finish() fails if
// the final chunk never came (truncation) and then finishes `downstream`.
std::unique_ptr<ByteSink> make_decryptor(const EncryptionKey& key, ByteSink& downstream);

// Initialises libsodium once (thread-safe); aborts the process if it cannot.
void ensure_sodium();

}  // namespace dbkeep::pipeline
