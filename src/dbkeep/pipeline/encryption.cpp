#include "dbkeep/pipeline/encryption.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "dbkeep/pipeline/codec_stages.hpp"

namespace dbkeep::pipeline {
namespace {

constexpr std::array<std::uint8_t, 6> kMagic = {'D', 'B', 'K', 'E', 'N', 'C'};
constexpr std::uint8_t kFormatVersion = 1;
constexpr std::uint8_t kChunkSizeLog2 = 16;  // 64 KiB; readers accept 12..24
constexpr std::size_t kPrefixSize = 16;      // magic, version, chunk size, key id
constexpr std::size_t kStreamHeaderSize = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
static_assert(kPrefixSize + kStreamHeaderSize == kEncryptionHeaderSize);
static_assert(crypto_secretstream_xchacha20poly1305_ABYTES == kEncryptionOverhead);
static_assert(std::size_t{1} << kChunkSizeLog2 == kEncryptionChunkSize);

std::string hex(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

std::span<const std::byte> as_bytes_span(const std::vector<std::uint8_t>& data, std::size_t n) {
  return std::as_bytes(std::span(data).first(n));
}

class Encryptor final : public ByteSink {
 public:
  Encryptor(const EncryptionKey& key, ByteSink& downstream)
      : downstream_(downstream), out_(kEncryptionChunkSize + kEncryptionOverhead) {
    header_.resize(kEncryptionHeaderSize);
    std::copy(kMagic.begin(), kMagic.end(), header_.begin());
    header_[6] = kFormatVersion;
    header_[7] = kChunkSizeLog2;
    std::copy(key.id().begin(), key.id().end(), header_.begin() + 8);
    crypto_secretstream_xchacha20poly1305_init_push(&state_, header_.data() + kPrefixSize,
                                                    key.bytes().data());
    buffer_.reserve(kEncryptionChunkSize);
  }
  ~Encryptor() override { sodium_memzero(&state_, sizeof state_); }

  Result<void> write(std::span<const std::byte> data) override {
    TRY(stage_.usable());
    TRY(write_header());
    while (!data.empty()) {
      // A full chunk is sent only once more data arrives, so the last one can carry TAG_FINAL.
      if (buffer_.size() == kEncryptionChunkSize) {
        TRY(emit(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE));
      }
      std::size_t take = std::min(kEncryptionChunkSize - buffer_.size(), data.size());
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
      buffer_.insert(buffer_.end(), bytes, bytes + take);
      data = data.subspan(take);
    }
    return {};
  }

  Result<void> finish() override {
    TRY(stage_.usable());
    TRY(write_header());
    TRY(emit(crypto_secretstream_xchacha20poly1305_TAG_FINAL));
    stage_.mark_finished();
    return downstream_.finish();
  }

 private:
  Result<void> write_header() {
    if (header_written_) return {};
    header_written_ = true;
    return stage_.record(downstream_.write(as_bytes_span(header_, header_.size())));
  }

  Result<void> emit(std::uint8_t tag) {
    unsigned long long length = 0;
    crypto_secretstream_xchacha20poly1305_push(&state_, out_.data(), &length, buffer_.data(),
                                               buffer_.size(), header_.data(), kPrefixSize, tag);
    buffer_.clear();
    return stage_.record(downstream_.write(as_bytes_span(out_, static_cast<std::size_t>(length))));
  }

  ByteSink& downstream_;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::vector<std::uint8_t> header_;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::uint8_t> out_;
  bool header_written_ = false;
  detail::StageState stage_;
};

class Decryptor final : public ByteSink {
 public:
  Decryptor(const EncryptionKey& key, ByteSink& downstream) : key_(key), downstream_(downstream) {}
  ~Decryptor() override { sodium_memzero(&state_, sizeof state_); }

  Result<void> write(std::span<const std::byte> data) override {
    TRY(stage_.usable());
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
    std::size_t left = data.size();
    while (left > 0) {
      if (final_seen_) return corrupt("data after the final chunk");
      std::vector<std::uint8_t>& target = header_done_ ? buffer_ : header_;
      std::size_t wanted = header_done_ ? chunk_size_ + kEncryptionOverhead : kEncryptionHeaderSize;
      std::size_t take = std::min(wanted - target.size(), left);
      target.insert(target.end(), bytes, bytes + take);
      bytes += take;
      left -= take;
      if (target.size() < wanted) break;
      if (header_done_) {
        TRY(decrypt_chunk());
      } else {
        TRY(open_header());
      }
    }
    return {};
  }

  Result<void> finish() override {
    TRY(stage_.usable());
    if (!header_done_) return corrupt("truncated: the encryption header is incomplete");
    if (!buffer_.empty()) TRY(decrypt_chunk());
    if (!final_seen_) return corrupt("truncated: the object ends before its final chunk");
    stage_.mark_finished();
    return downstream_.finish();
  }

 private:
  std::unexpected<Error> corrupt(const std::string& problem) {
    return stage_.fail_with(Error{ErrorKind::kVerification, "encrypted object: " + problem});
  }

  Result<void> open_header() {
    if (!std::equal(kMagic.begin(), kMagic.end(), header_.begin())) {
      return corrupt("not a dbkeep encrypted object (bad magic)");
    }
    if (header_[6] != kFormatVersion) {
      return corrupt("unknown format version " + std::to_string(header_[6]));
    }
    if (header_[7] < 12 || header_[7] > 24) {
      return corrupt("bad chunk size exponent " + std::to_string(header_[7]));
    }
    chunk_size_ = std::size_t{1} << header_[7];
    auto id = std::span(header_).subspan(8, 8);
    if (!std::equal(id.begin(), id.end(), key_.id().begin())) {
      return corrupt("encrypted with key " + hex(id) + ", not with the repository key " +
                     key_.id_hex());
    }
    if (crypto_secretstream_xchacha20poly1305_init_pull(&state_, header_.data() + kPrefixSize,
                                                        key_.bytes().data()) != 0) {
      return corrupt("invalid stream header");
    }
    header_done_ = true;
    buffer_.reserve(chunk_size_ + kEncryptionOverhead);
    out_.resize(chunk_size_);
    return {};
  }

  Result<void> decrypt_chunk() {
    bool full = buffer_.size() == chunk_size_ + kEncryptionOverhead;
    unsigned long long length = 0;
    unsigned char tag = 0;
    if (buffer_.size() < kEncryptionOverhead ||
        crypto_secretstream_xchacha20poly1305_pull(&state_, out_.data(), &length, &tag,
                                                   buffer_.data(), buffer_.size(), header_.data(),
                                                   kPrefixSize) != 0) {
      return corrupt("authentication failed in chunk " + std::to_string(chunk_index_) +
                     " (corrupt, tampered with, truncated or out of order)");
    }
    buffer_.clear();
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      final_seen_ = true;
    } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE || !full) {
      return corrupt("truncated: chunk " + std::to_string(chunk_index_) + " is not the last");
    }
    ++chunk_index_;
    return stage_.record(downstream_.write(as_bytes_span(out_, static_cast<std::size_t>(length))));
  }

  const EncryptionKey& key_;
  ByteSink& downstream_;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::vector<std::uint8_t> header_;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::uint8_t> out_;
  std::size_t chunk_size_ = kEncryptionChunkSize;
  std::uint64_t chunk_index_ = 0;
  bool header_done_ = false;
  bool final_seen_ = false;
  detail::StageState stage_;
};

}  // namespace

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();  // no CSPRNG: nothing safe can be done
}

EncryptionKey EncryptionKey::generate() {
  ensure_sodium();
  EncryptionKey key;
  randombytes_buf(key.bytes_.data(), key.bytes_.size());
  key.derive_id();
  return key;
}

EncryptionKey EncryptionKey::from_bytes(std::span<const std::uint8_t, kSize> bytes) {
  ensure_sodium();
  EncryptionKey key;
  std::copy(bytes.begin(), bytes.end(), key.bytes_.begin());
  key.derive_id();
  return key;
}

EncryptionKey::~EncryptionKey() {
  sodium_memzero(bytes_.data(), bytes_.size());
}

void EncryptionKey::derive_id() {
  static constexpr std::string_view kLabel = "dbkeep key id";
  crypto_generichash(id_.data(), id_.size(), reinterpret_cast<const unsigned char*>(kLabel.data()),
                     kLabel.size(), bytes_.data(), bytes_.size());
}

std::string EncryptionKey::id_hex() const {
  return hex(id_);
}

std::uint64_t encrypted_size(std::uint64_t plaintext_size) {
  std::uint64_t chunks = plaintext_size / kEncryptionChunkSize + 1;
  if (plaintext_size > 0 && plaintext_size % kEncryptionChunkSize == 0) --chunks;
  return kEncryptionHeaderSize + plaintext_size + chunks * kEncryptionOverhead;
}

std::unique_ptr<ByteSink> make_encryptor(const EncryptionKey& key, ByteSink& downstream) {
  ensure_sodium();
  return std::make_unique<Encryptor>(key, downstream);
}

std::unique_ptr<ByteSink> make_decryptor(const EncryptionKey& key, ByteSink& downstream) {
  ensure_sodium();
  return std::make_unique<Decryptor>(key, downstream);
}

}  // namespace dbkeep::pipeline
