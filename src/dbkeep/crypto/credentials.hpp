#pragma once
// Where passphrases and key files come from. Never from the command line: a passphrase is read
// from [repository] passphrase_file, the DBKEEP_PASSPHRASE environment variable, or the terminal
// (echo off) when there is one — in that order. Every passphrase read is registered with the
// log so it can never appear in a log line.

#include <filesystem>
#include <optional>

#include "dbkeep/core/config.hpp"
#include "dbkeep/crypto/secret.hpp"

namespace dbkeep::crypto {

inline constexpr const char* kPassphraseVariable = "DBKEEP_PASSPHRASE";
inline constexpr const char* kNewPassphraseVariable = "DBKEEP_NEW_PASSPHRASE";

// The credential the configuration names: a passphrase (encryption = "repokey") or the content
// of key_file (encryption = "keyfile"). Nothing available: a kUsage error saying what to set.
// `confirm`: a passphrase typed on the terminal is asked twice (when creating the key).
Result<Credential> configured_credential(const core::RepositoryConfig& config,
                                         bool confirm = false);

// A new passphrase for `key add`/`key change`: from `file` if given, else DBKEEP_NEW_PASSPHRASE,
// else asked twice on the terminal.
Result<Credential> new_passphrase(const std::optional<std::filesystem::path>& file);

// A key file's content; creates the file (mode 0600, 32 random bytes as hex) when `create` and
// it does not exist. Refuses files others can read.
Result<Credential> key_file_credential(const std::filesystem::path& path, bool create);

}  // namespace dbkeep::crypto
