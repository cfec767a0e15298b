#pragma once
// A storage::Backend decorator that encrypts the content of every object it writes and decrypts
// every object it reads (pipeline/encryption.hpp, format in docs/encryption-format.md). Installed
// in front of the real backend when the repository is encrypted, so data files, manifests and
// anything added later are encrypted without their writers knowing: nothing can be written in
// plaintext through it. Keys (object names) pass through unchanged; list() reports stored
// (encrypted) sizes. Key slots and the repository marker live outside it (crypto/).
//
// A Reader fails with ErrorKind::kVerification naming the object when its content does not
// authenticate (flipped bit, truncation, wrong key, chunks from elsewhere).

#include <memory>

#include "dbkeep/pipeline/encryption.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::crypto {

class EncryptedBackend final : public storage::Backend {
 public:
  // `hide_names`: the repository's encrypt_metadata; see hidden_name().
  EncryptedBackend(std::unique_ptr<storage::Backend> inner, pipeline::EncryptionKey key,
                   bool hide_names = false);

  Result<std::unique_ptr<storage::Writer>> create(std::string_view key) override;
  Result<std::unique_ptr<storage::Reader>> open(std::string_view key) override;
  Result<bool> exists(std::string_view key) override { return inner_->exists(key); }
  Result<std::vector<storage::ObjectInfo>> list(std::string_view prefix) override {
    return inner_->list(prefix);
  }
  Result<std::vector<std::string>> list_children(std::string_view prefix) override {
    return inner_->list_children(prefix);
  }
  Result<void> remove(std::string_view key) override { return inner_->remove(key); }
  Result<void> remove_prefix(std::string_view prefix) override {
    return inner_->remove_prefix(prefix);
  }
  Result<std::optional<std::uint64_t>> free_bytes() override { return inner_->free_bytes(); }
  [[nodiscard]] std::string describe() const override;

  [[nodiscard]] const pipeline::EncryptionKey& key() const { return key_; }
  // With encrypt_metadata, data objects are stored under a name that reveals nothing:
  // hex(BLAKE2b-128 keyed with the master key over "dbkeep object name\0" + path).
  [[nodiscard]] bool encrypts_contents() const override { return true; }
  [[nodiscard]] std::optional<std::string> hidden_name(std::string_view path) const override;
  storage::Backend& inner() { return *inner_; }

 private:
  std::unique_ptr<storage::Backend> inner_;
  pipeline::EncryptionKey key_;
  bool hide_names_ = false;
};

}  // namespace dbkeep::crypto
