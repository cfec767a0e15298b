#include "dbkeep/storage/open_backend.hpp"

#include "dbkeep/storage/local_backend.hpp"

namespace dbkeep::storage {

Result<std::unique_ptr<Backend>> open_backend(const core::RepositoryConfig& config) {
  return std::unique_ptr<Backend>(std::make_unique<LocalBackend>(config.path));
}

}  // namespace dbkeep::storage
