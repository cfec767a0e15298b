#pragma once
// Opening a repository with the encryption its marker and the configuration call for. The one
// place that decides between plaintext and encrypted access:
//
//   marker  config        result
//   none    none          the plain backend (as before encryption existed)
//   none    repokey/...   create the key when allowed (first backup, empty repository), else a
//                         usage error pointing at `dbkeep key init`
//   yes     none          usage error: an encrypted repository never takes plaintext
//   yes     repokey/...   unlock the master key with the configured credential and return an
//                         EncryptedBackend; a wrong or missing credential is an error and
//                         nothing is written

#include <memory>

#include "dbkeep/core/config.hpp"
#include "dbkeep/crypto/key_slot.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::crypto {

enum class KeyCreation { kNever, kIfNew };

Result<std::unique_ptr<storage::Backend>> open_repository_backend(
    const core::RepositoryConfig& config, std::unique_ptr<storage::Backend> raw,
    KeyCreation creation, const KdfLimits& limits = KdfLimits::moderate());

// Sets up encryption on a new repository with the configured credential (`dbkeep key init`).
Result<std::string> initialize_configured(const core::RepositoryConfig& config,
                                          storage::Backend& raw, const KdfLimits& limits);

}  // namespace dbkeep::crypto
