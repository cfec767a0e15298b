#pragma once
// One key slot: the repository master key wrapped (XChaCha20-Poly1305) by a key derived from a
// passphrase (Argon2id, parameters recorded in the slot) or from a key file (BLAKE2b-256 of its
// content). Stored as keys/slot-<n>.json; the JSON fields are specified in
// docs/encryption-format.md.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/crypto/secret.hpp"
#include "dbkeep/pipeline/encryption.hpp"

namespace dbkeep::crypto {

// Argon2id cost. The default is libsodium's "moderate" (3 passes, 256 MiB); tests use the minimum.
struct KdfLimits {
  std::uint64_t opslimit;
  std::size_t memlimit;
  static KdfLimits moderate();
  static KdfLimits minimum();
};

struct KeySlot {
  int number = 0;
  SlotKind kind = SlotKind::kPassphrase;
  std::string created_at;   // ISO UTC
  std::string key_id;       // hex id of the master key it wraps
  nlohmann::json kdf;       // {"algorithm": "argon2id13", opslimit, memlimit, salt} or blake2b
  std::string nonce_hex;    // 24 bytes
  std::string wrapped_hex;  // 32-byte key + 16-byte tag
};

std::string_view slot_kind_name(SlotKind kind);  // "passphrase", "keyfile"

Result<KeySlot> make_slot(int number, const pipeline::EncryptionKey& master,
                          const Credential& credential, const KdfLimits& limits);
// The master key if `credential` opens the slot; nullopt if it does not (wrong passphrase or
// key file, or a slot of the other kind). Errors only for malformed slots.
Result<std::optional<pipeline::EncryptionKey>> open_slot(const KeySlot& slot,
                                                         const Credential& credential);

nlohmann::json slot_to_json(const KeySlot& slot);
Result<KeySlot> slot_from_json(std::string_view text, const std::string& where);

}  // namespace dbkeep::crypto
