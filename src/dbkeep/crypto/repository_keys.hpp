#pragma once
// The key material of an encrypted repository, kept in plaintext objects beside the backups
// (they hold nothing secret without a passphrase or key file):
//
//   config.json          the marker: this repository is encrypted (mode, key id, cipher)
//   keys/slot-<n>.json   key slots, each wrapping the same master key (key_slot.hpp)
//
// These functions work on the raw backend, never through EncryptedBackend.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/crypto/key_slot.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::crypto {

inline constexpr std::string_view kMarkerKey = "config.json";
inline constexpr std::string_view kSlotPrefix = "keys/";

struct RepositoryMarker {
  std::string encryption;  // repokey | keyfile (how it was created)
  std::string key_id;
  bool encrypt_metadata = false;
};

struct UnlockedKey {
  pipeline::EncryptionKey key;
  int slot = 0;  // the slot the credential opened
};

// nullopt when the repository has no marker (an unencrypted repository).
Result<std::optional<RepositoryMarker>> read_marker(storage::Backend& backend);
// Every key slot, by number.
Result<std::vector<KeySlot>> read_slots(storage::Backend& backend);

// Creates the master key, its first slot and the marker (in that order, so a half-initialised
// repository has no marker and stays unusable rather than unreadable). Refuses a repository
// that already has a marker or holds any backup (never mix plaintext and encrypted backups).
Result<UnlockedKey> initialize_repository(storage::Backend& backend, const RepositoryMarker& mode,
                                          const Credential& credential, const KdfLimits& limits);

// The master key, from the first slot `credential` opens. None opens: ErrorKind::kFailed
// ("the passphrase opens none of the N key slots").
Result<UnlockedKey> unlock(storage::Backend& backend, const RepositoryMarker& marker,
                           const Credential& credential);

// Adds a slot for `credential`; returns its number.
Result<int> add_slot(storage::Backend& backend, const pipeline::EncryptionKey& master,
                     const Credential& credential, const KdfLimits& limits);
// Replaces slot `number` by one for `credential` (the new slot is written before the old one
// disappears: the key is never without a way in).
Result<int> replace_slot(storage::Backend& backend, int number,
                         const pipeline::EncryptionKey& master, const Credential& credential,
                         const KdfLimits& limits);
// Removes slot `number`; refuses to remove the last one.
Result<void> remove_slot(storage::Backend& backend, int number);

std::string slot_key(int number);

}  // namespace dbkeep::crypto
