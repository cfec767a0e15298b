#pragma once
// A repository in an S3-compatible bucket under a key prefix ("s3://bucket/prefix"). The
// repository's keys map to objects "<prefix><key>"; writers stream multipart uploads
// (S3MultipartWriter), readers stream ranged GETs (S3Reader). Objects appear only when their
// writer commits, so a manifest uploaded last makes a backup visible only once complete.
// Data objects get the configured storage class; manifests ("…/manifest.json") stay in the
// default class so listing and reading them is cheap and immediate.

#include <memory>

#include "dbkeep/core/config.hpp"
#include "dbkeep/storage/backend.hpp"
#include "dbkeep/storage/s3/s3_client.hpp"
#include "dbkeep/storage/s3/s3_multipart_writer.hpp"

namespace dbkeep::storage::s3 {

struct S3BackendOptions {
  S3ClientOptions client;
  std::string prefix;     // "" or ends in '/'
  S3WriteSettings write;  // part size and concurrency also size the reader's ranges
  std::optional<std::string> storage_class;
  std::vector<std::string> encryption_headers;  // x-amz-server-side-encryption…
  int list_page_size = 1000;  // max-keys per LIST call (S3's maximum; smaller in tests)
};

// Builds options from [repository] (credentials resolved from config, environment, file).
Result<S3BackendOptions> s3_backend_options(const core::S3Config& config,
                                            const core::Environment& environment);

class S3Backend final : public Backend {
 public:
  explicit S3Backend(S3BackendOptions options);

  Result<std::unique_ptr<Writer>> create(std::string_view key) override;
  Result<std::unique_ptr<Reader>> open(std::string_view key) override;
  Result<bool> exists(std::string_view key) override;
  Result<std::vector<ObjectInfo>> list(std::string_view prefix) override;
  Result<std::vector<std::string>> list_children(std::string_view prefix) override;
  Result<void> remove(std::string_view key) override;
  Result<void> remove_prefix(std::string_view prefix) override;
  Result<std::optional<std::uint64_t>> free_bytes() override { return std::nullopt; }
  [[nodiscard]] std::string describe() const override;

 private:
  struct Listing {
    std::vector<ObjectInfo> objects;  // keys relative to the repository
    std::vector<std::string> common_prefixes;
  };
  Result<Listing> list_objects(std::string_view prefix, bool by_directory);
  Result<void> delete_batch(const std::vector<std::string>& full_keys);
  [[nodiscard]] std::string full_key(std::string_view key) const {
    return options_.prefix + std::string(key);
  }

  S3BackendOptions options_;
  S3Client client_;
};

}  // namespace dbkeep::storage::s3
