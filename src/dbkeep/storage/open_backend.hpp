#pragma once
// Maps the [repository] configuration to a storage backend: a local directory (path) or an
// S3-compatible bucket (url = "s3://…"; credentials are resolved here, from config, the
// environment or ~/.aws/credentials).

#include <memory>

#include "dbkeep/core/config.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::storage {

Result<std::unique_ptr<Backend>> open_backend(const core::RepositoryConfig& config);

}  // namespace dbkeep::storage
