#pragma once
// Maps the [repository] configuration to a storage backend (local directory now; S3 later).

#include <memory>

#include "dbkeep/core/config.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::storage {

Result<std::unique_ptr<Backend>> open_backend(const core::RepositoryConfig& config);

}  // namespace dbkeep::storage
