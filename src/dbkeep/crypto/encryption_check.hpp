#pragma once
// What `dbkeep check-config` says about encryption: whether the repository is encrypted (and
// how: mode, key id, key slots), whether that agrees with [repository] encryption, and whether
// the configured passphrase or key file opens the key. Reads only; never creates a key.

#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::crypto {

struct EncryptionCheck {
  std::string what;
  std::string problem;  // empty when fine
};

// `raw` is the repository's backend without EncryptedBackend.
std::vector<EncryptionCheck> check_encryption(const core::RepositoryConfig& config,
                                              storage::Backend& raw);

}  // namespace dbkeep::crypto
