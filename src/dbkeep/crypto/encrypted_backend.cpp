#include "dbkeep/crypto/encrypted_backend.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace dbkeep::crypto {
namespace {

// Adapts a storage::Writer to the ByteSink the encryptor writes into.
class WriterAsSink final : public pipeline::ByteSink {
 public:
  explicit WriterAsSink(storage::Writer& writer) : writer_(writer) {}
  Result<void> write(std::span<const std::byte> data) override { return writer_.write(data); }
  Result<void> finish() override { return {}; }

 private:
  storage::Writer& writer_;
};

class EncryptingWriter final : public storage::Writer {
 public:
  EncryptingWriter(std::unique_ptr<storage::Writer> inner, const pipeline::EncryptionKey& key,
                   std::string name)
      : inner_(std::move(inner)),
        sink_(*inner_),
        encryptor_(pipeline::make_encryptor(key, sink_)),
        name_(std::move(name)) {}

  Result<void> write(std::span<const std::byte> data) override {
    return with_name(encryptor_->write(data));
  }
  Result<void> commit() override {
    TRY(with_name(encryptor_->finish()));
    return inner_->commit();
  }

 private:
  Result<void> with_name(Result<void> result) const {
    if (!result) return propagate(result.error().with_context("stored object " + name_));
    return {};
  }

  std::unique_ptr<storage::Writer> inner_;
  WriterAsSink sink_;
  std::unique_ptr<pipeline::ByteSink> encryptor_;
  std::string name_;
};

// Collects decrypted bytes until the Reader's caller takes them. Refilled only once empty, so
// it holds at most what one inner read decrypts to (about two chunks).
class PendingBytes final : public pipeline::ByteSink {
 public:
  Result<void> write(std::span<const std::byte> data) override {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return {};
  }
  Result<void> finish() override { return {}; }
  std::size_t take(std::span<std::byte> buffer) {
    std::size_t n = std::min(buffer.size(), bytes_.size() - offset_);
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset_), n, buffer.begin());
    offset_ += n;
    if (offset_ == bytes_.size()) {
      bytes_.clear();
      offset_ = 0;
    }
    return n;
  }
  [[nodiscard]] bool empty() const { return bytes_.empty(); }

 private:
  std::vector<std::byte> bytes_;
  std::size_t offset_ = 0;
};

// Pulls ciphertext from the inner Reader one chunk at a time; memory stays at about a chunk.
class DecryptingReader final : public storage::Reader {
 public:
  DecryptingReader(std::unique_ptr<storage::Reader> inner, const pipeline::EncryptionKey& key,
                   std::string name)
      : inner_(std::move(inner)),
        decryptor_(pipeline::make_decryptor(key, pending_)),
        name_(std::move(name)),
        buffer_(pipeline::kEncryptionChunkSize + pipeline::kEncryptionOverhead) {}

  Result<std::size_t> read(std::span<std::byte> buffer) override {
    while (pending_.empty() && !ended_) {
      TRY_ASSIGN(std::size_t got, inner_->read(buffer_));
      auto stepped =
          got == 0 ? decryptor_->finish() : decryptor_->write(std::span(buffer_).first(got));
      if (!stepped) return propagate(stepped.error().with_context("stored object " + name_));
      ended_ = got == 0;
    }
    return pending_.take(buffer);
  }

 private:
  std::unique_ptr<storage::Reader> inner_;
  PendingBytes pending_;
  std::unique_ptr<pipeline::ByteSink> decryptor_;
  std::string name_;
  std::vector<std::byte> buffer_;
  bool ended_ = false;
};

}  // namespace

EncryptedBackend::EncryptedBackend(std::unique_ptr<storage::Backend> inner,
                                   pipeline::EncryptionKey key, bool hide_names)
    : inner_(std::move(inner)), key_(std::move(key)), hide_names_(hide_names) {}

std::optional<std::string> EncryptedBackend::hidden_name(std::string_view path) const {
  if (!hide_names_) return std::nullopt;
  std::string input = "dbkeep object name";
  input.push_back('\0');
  input.append(path);
  std::array<unsigned char, 16> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                     key_.bytes().data(), key_.bytes().size());
  std::string out(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), digest.data(), digest.size());
  out.pop_back();
  return out;
}

Result<std::unique_ptr<storage::Writer>> EncryptedBackend::create(std::string_view key) {
  TRY_ASSIGN(auto writer, inner_->create(key));
  return std::make_unique<EncryptingWriter>(std::move(writer), key_, std::string(key));
}

Result<std::unique_ptr<storage::Reader>> EncryptedBackend::open(std::string_view key) {
  TRY_ASSIGN(auto reader, inner_->open(key));
  return std::make_unique<DecryptingReader>(std::move(reader), key_, std::string(key));
}

std::string EncryptedBackend::describe() const {
  return inner_->describe() + " (encrypted, key " + key_.id_hex() + ")";
}

}  // namespace dbkeep::crypto
