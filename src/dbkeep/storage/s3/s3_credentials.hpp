#pragma once
// Where S3 credentials come from, first match wins: the config's *_file keys, the environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), then the shared credentials
// file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, profile AWS_PROFILE or "default").
// Every secret found is registered with the logger so it can never appear in a log line.

#include <filesystem>
#include <optional>
#include <string>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"

namespace dbkeep::storage::s3 {

struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::optional<std::string> session_token;
};

Result<S3Credentials> resolve_s3_credentials(const core::S3Config& config,
                                             const core::Environment& environment);

// Reads one profile of an AWS shared credentials file (INI); nullopt when the profile or its
// keys are missing. Exposed for tests.
Result<std::optional<S3Credentials>> read_shared_credentials(const std::filesystem::path& file,
                                                             const std::string& profile);

}  // namespace dbkeep::storage::s3
