#include "dbkeep/crypto/repository_keys.hpp"

#include <algorithm>

#include "dbkeep/core/bounded_json.hpp"
#include "dbkeep/core/time_format.hpp"

namespace dbkeep::crypto {
namespace {

using nlohmann::json;

constexpr std::string_view kCipher = "xchacha20poly1305-secretstream";

int next_slot_number(const std::vector<KeySlot>& slots) {
  int highest = -1;
  for (const auto& slot : slots) highest = std::max(highest, slot.number);
  return highest + 1;
}

Result<void> write_slot(storage::Backend& backend, const KeySlot& slot) {
  return storage::write_all(backend, slot_key(slot.number), slot_to_json(slot).dump(2) + "\n");
}

// True if anything but dbkeep's own local state ('.'-prefixed) is stored.
Result<bool> holds_objects(storage::Backend& backend) {
  TRY_ASSIGN(auto objects, backend.list(""));
  return std::ranges::any_of(objects, [](const auto& object) { return object.key[0] != '.'; });
}

}  // namespace

std::string slot_key(int number) {
  return std::string(kSlotPrefix) + "slot-" + std::to_string(number) + ".json";
}

Result<std::optional<RepositoryMarker>> read_marker(storage::Backend& backend) {
  TRY_ASSIGN(bool present, backend.exists(kMarkerKey));
  if (!present) return std::optional<RepositoryMarker>{};
  TRY_ASSIGN(auto text, storage::read_all(backend, kMarkerKey));
  std::string where = backend.describe() + "/" + std::string(kMarkerKey);
  auto parsed = core::parse_bounded_json(text);
  std::string damaged = where +
                        ": the repository marker is damaged (expected JSON with format, "
                        "encryption, cipher, key_id)";
  if (!parsed) return fail(damaged, ErrorKind::kVerification);
  json& document = *parsed;
  try {
    if (document.at("format").get<int>() != 1) {
      return fail(where + ": repository format is newer than this dbkeep understands");
    }
    RepositoryMarker marker;
    marker.encryption = document.at("encryption").get<std::string>();
    marker.key_id = document.at("key_id").get<std::string>();
    marker.encrypt_metadata = document.value("encrypt_metadata", false);
    if (document.at("cipher").get<std::string>() != kCipher) {
      return fail(where + ": unknown cipher " + document.at("cipher").dump());
    }
    return std::optional<RepositoryMarker>{marker};
  } catch (const json::exception&) {
    return fail(damaged, ErrorKind::kVerification);
  }
}

Result<std::vector<KeySlot>> read_slots(storage::Backend& backend) {
  TRY_ASSIGN(auto objects, backend.list(kSlotPrefix));
  std::vector<KeySlot> slots;
  for (const auto& object : objects) {
    if (!object.key.ends_with(".json")) continue;
    TRY_ASSIGN(auto text, storage::read_all(backend, object.key));
    TRY_ASSIGN(auto slot, slot_from_json(text, object.key));
    slots.push_back(std::move(slot));
  }
  std::ranges::sort(slots, {}, &KeySlot::number);
  return slots;
}

Result<UnlockedKey> initialize_repository(storage::Backend& backend, const RepositoryMarker& mode,
                                          const Credential& credential, const KdfLimits& limits) {
  TRY_ASSIGN(auto existing, read_marker(backend));
  if (existing) {
    return usage_error("repository " + backend.describe() + " is already encrypted (key " +
                       existing->key_id + "); see dbkeep key list");
  }
  TRY_ASSIGN(bool occupied, holds_objects(backend));
  if (occupied) {
    return usage_error("repository " + backend.describe() +
                       " already holds unencrypted data; encryption can only be set up on a new, "
                       "empty repository (start a new one and back up into it)");
  }
  auto master = pipeline::EncryptionKey::generate();
  TRY_ASSIGN(auto slot, make_slot(0, master, credential, limits));
  TRY(write_slot(backend, slot));
  json marker = {{"format", 1},
                 {"encryption", mode.encryption},
                 {"cipher", kCipher},
                 {"chunk_size", pipeline::kEncryptionChunkSize},
                 {"key_id", master.id_hex()},
                 {"encrypt_metadata", mode.encrypt_metadata},
                 {"created_at", core::format_iso_utc(core::now_seconds())}};
  TRY(storage::write_all(backend, kMarkerKey, marker.dump(2) + "\n"));
  return UnlockedKey{std::move(master), 0};
}

Result<UnlockedKey> unlock(storage::Backend& backend, const RepositoryMarker& marker,
                           const Credential& credential) {
  TRY_ASSIGN(auto slots, read_slots(backend));
  int candidates = 0;
  for (const auto& slot : slots) {
    if (slot.kind != credential.kind) continue;
    ++candidates;
    TRY_ASSIGN(auto key, open_slot(slot, credential));
    if (!key) continue;
    if (key->id_hex() != marker.key_id) {
      return fail("key slot " + std::to_string(slot.number) + " holds key " + key->id_hex() +
                      ", but the repository is encrypted with key " + marker.key_id,
                  ErrorKind::kVerification);
    }
    return UnlockedKey{std::move(*key), slot.number};
  }
  std::string what = credential.kind == SlotKind::kPassphrase ? "passphrase" : "key file";
  if (candidates == 0) {
    return fail("repository " + backend.describe() + " has no " + what +
                " key slot (see dbkeep key list)");
  }
  return fail("wrong " + what + ": it opens none of the " + std::to_string(candidates) + " " +
              what + " key slots of repository " + backend.describe());
}

Result<int> add_slot(storage::Backend& backend, const pipeline::EncryptionKey& master,
                     const Credential& credential, const KdfLimits& limits) {
  TRY_ASSIGN(auto slots, read_slots(backend));
  TRY_ASSIGN(auto slot, make_slot(next_slot_number(slots), master, credential, limits));
  TRY(write_slot(backend, slot));
  return slot.number;
}

Result<int> replace_slot(storage::Backend& backend, int number,
                         const pipeline::EncryptionKey& master, const Credential& credential,
                         const KdfLimits& limits) {
  TRY_ASSIGN(int added, add_slot(backend, master, credential, limits));
  TRY(backend.remove(slot_key(number)));
  return added;
}

Result<void> remove_slot(storage::Backend& backend, int number) {
  TRY_ASSIGN(auto slots, read_slots(backend));
  bool found = std::ranges::any_of(slots, [&](const auto& slot) { return slot.number == number; });
  if (!found) return usage_error("there is no key slot " + std::to_string(number));
  if (slots.size() == 1) {
    return usage_error("slot " + std::to_string(number) +
                       " is the last key slot; removing it would make every backup unreadable "
                       "(add another slot first)");
  }
  return backend.remove(slot_key(number));
}

}  // namespace dbkeep::crypto
