#include "dbkeep/storage/open_backend.hpp"

#include "dbkeep/storage/local_backend.hpp"
#include "dbkeep/storage/s3/s3_backend.hpp"

namespace dbkeep::storage {

Result<std::unique_ptr<Backend>> open_backend(const core::RepositoryConfig& config) {
  if (config.s3) {
    TRY_ASSIGN(auto options, s3::s3_backend_options(*config.s3, core::current_environment()));
    return std::unique_ptr<Backend>(std::make_unique<s3::S3Backend>(std::move(options)));
  }
  return std::unique_ptr<Backend>(std::make_unique<LocalBackend>(config.path));
}

}  // namespace dbkeep::storage
