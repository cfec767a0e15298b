#include "dbkeep/crypto/encryption_check.hpp"

#include <filesystem>

#include "dbkeep/crypto/credentials.hpp"
#include "dbkeep/crypto/repository_keys.hpp"

namespace dbkeep::crypto {
namespace {

std::string credential_name(const core::RepositoryConfig& config) {
  return config.encryption == core::EncryptionMode::kKeyfile
             ? "key file " + config.key_file->string()
             : std::string("passphrase");
}

// "2 key slots (0 passphrase, 1 keyfile)"
std::string describe_slots(const std::vector<KeySlot>& slots) {
  std::string text =
      std::to_string(slots.size()) + (slots.size() == 1 ? " key slot" : " key slots");
  std::string separator = " (";
  for (const auto& slot : slots) {
    text += separator + std::to_string(slot.number) + " " + std::string(slot_kind_name(slot.kind));
    separator = ", ";
  }
  return slots.empty() ? text : text + ")";
}

// A repository without a key yet: the first backup (or `dbkeep key init`) creates it, so only
// the credential it will use is checked.
std::vector<EncryptionCheck> check_new(const core::RepositoryConfig& config) {
  std::vector<EncryptionCheck> checks{
      {"encryption " + std::string(core::to_string(config.encryption)) +
           ": no key in the repository yet (the first backup or dbkeep key init creates it)",
       ""}};
  if (config.encryption == core::EncryptionMode::kKeyfile &&
      !std::filesystem::exists(*config.key_file)) {
    checks.push_back({"key file " + config.key_file->string() + " (created with the key)", ""});
    return checks;
  }
  auto credential = configured_credential(config);
  checks.push_back(
      {credential_name(config) + " available", credential ? "" : credential.error().message});
  return checks;
}

}  // namespace

std::vector<EncryptionCheck> check_encryption(const core::RepositoryConfig& config,
                                              storage::Backend& raw) {
  auto marker = read_marker(raw);
  if (!marker)
    return {{"encryption state of repository " + raw.describe(), marker.error().message}};
  if (!*marker) {
    if (config.encryption == core::EncryptionMode::kNone)
      return {{"encryption none (repository not encrypted)", ""}};
    return check_new(config);
  }
  auto slots = read_slots(raw);
  std::vector<EncryptionCheck> checks{
      {"encryption " + (*marker)->encryption + ", key " + (*marker)->key_id + ", " +
           (slots ? describe_slots(*slots) : std::string("key slots")) +
           ((*marker)->encrypt_metadata ? ", names encrypted" : ""),
       slots ? "" : slots.error().message}};
  if (config.encryption == core::EncryptionMode::kNone) {
    checks.push_back({"[repository] encryption matches the repository",
                      "the repository is encrypted but encryption = \"none\"; set it to \"" +
                          (*marker)->encryption + "\" with its passphrase or key file"});
    return checks;
  }
  auto credential = configured_credential(config);
  if (!credential) {
    checks.push_back({credential_name(config) + " available", credential.error().message});
    return checks;
  }
  auto unlocked = unlock(raw, **marker, *credential);
  checks.push_back({"configured " + credential_name(config) + " opens the key" +
                        (unlocked ? " (slot " + std::to_string(unlocked->slot) + ")" : ""),
                    unlocked ? "" : unlocked.error().message});
  return checks;
}

}  // namespace dbkeep::crypto
