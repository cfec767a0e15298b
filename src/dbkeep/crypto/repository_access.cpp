#include "dbkeep/crypto/repository_access.hpp"

#include "dbkeep/core/log.hpp"
#include "dbkeep/crypto/credentials.hpp"
#include "dbkeep/crypto/encrypted_backend.hpp"
#include "dbkeep/crypto/repository_keys.hpp"

namespace dbkeep::crypto {
namespace {

Result<UnlockedKey> initialize(const core::RepositoryConfig& config, storage::Backend& raw,
                               const KdfLimits& limits) {
  auto credential = config.encryption == core::EncryptionMode::kKeyfile
                        ? key_file_credential(*config.key_file, /*create=*/true)
                        : configured_credential(config, /*confirm=*/true);
  if (!credential) return propagate(credential.error());
  TRY_ASSIGN(auto unlocked, initialize_repository(raw,
                                                  {std::string(core::to_string(config.encryption)),
                                                   "", config.encrypt_metadata},
                                                  *credential, limits));
  log::info("encryption set up for repository " + raw.describe() + ": key " +
            unlocked.key.id_hex() + ", key slot 0 (" +
            std::string(core::to_string(config.encryption)) + ")");
  return unlocked;
}

}  // namespace

Result<std::string> initialize_configured(const core::RepositoryConfig& config,
                                          storage::Backend& raw, const KdfLimits& limits) {
  if (config.encryption == core::EncryptionMode::kNone) {
    return usage_error(
        "[repository] encryption is \"none\"; set it to \"repokey\" or \"keyfile\" "
        "to create a key");
  }
  TRY_ASSIGN(auto unlocked, initialize(config, raw, limits));
  return unlocked.key.id_hex();
}

Result<std::unique_ptr<storage::Backend>> open_repository_backend(
    const core::RepositoryConfig& config, std::unique_ptr<storage::Backend> raw,
    KeyCreation creation, const KdfLimits& limits) {
  TRY_ASSIGN(auto marker, read_marker(*raw));
  if (!marker) {
    if (config.encryption == core::EncryptionMode::kNone) return raw;
    if (creation == KeyCreation::kNever) {
      return usage_error("repository " + raw->describe() +
                         " has no encryption key yet; create it with dbkeep key init (a first "
                         "backup also does)");
    }
    TRY_ASSIGN(auto unlocked, initialize(config, *raw, limits));
    return std::make_unique<crypto::EncryptedBackend>(std::move(raw), std::move(unlocked.key),
                                                      config.encrypt_metadata);
  }
  if (config.encryption == core::EncryptionMode::kNone) {
    return usage_error("repository " + raw->describe() + " is encrypted (" + marker->encryption +
                       ", key " + marker->key_id +
                       "); set [repository] encryption and its passphrase or key file — dbkeep "
                       "never reads or writes an encrypted repository as plaintext");
  }
  TRY_ASSIGN(auto credential, configured_credential(config));
  TRY_ASSIGN(auto unlocked, unlock(*raw, *marker, credential));
  log::debug("repository key " + unlocked.key.id_hex() + " opened with key slot " +
             std::to_string(unlocked.slot));
  if (marker->encrypt_metadata != config.encrypt_metadata) {
    log::warn("[repository] encrypt_metadata differs from what the repository was created with (" +
              std::string(marker->encrypt_metadata ? "true" : "false") +
              "); the repository's setting applies");
  }
  return std::make_unique<crypto::EncryptedBackend>(std::move(raw), std::move(unlocked.key),
                                                    marker->encrypt_metadata);
}

}  // namespace dbkeep::crypto
