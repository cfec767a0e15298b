#pragma once
// Streams one S3 object by ranged GETs of `chunk_size` bytes, keeping up to `concurrency`
// ranges in flight on worker threads ahead of the caller (memory: concurrency × chunk size).
// Each range is retried on its own, so a dropped connection costs one range, not the object.
// Every GET carries If-Match with the ETag seen when the reader opened: an object replaced
// mid-read fails instead of mixing two versions.

#include <cstdint>
#include <deque>
#include <future>
#include <string>

#include "dbkeep/storage/backend.hpp"
#include "dbkeep/storage/s3/s3_client.hpp"

namespace dbkeep::storage::s3 {

class S3Reader final : public Reader {
 public:
  S3Reader(S3Client& client, std::string key, std::uint64_t size, std::string etag,
           std::uint64_t chunk_size, int concurrency);
  S3Reader(const S3Reader&) = delete;
  S3Reader& operator=(const S3Reader&) = delete;
  ~S3Reader() override;

  Result<std::size_t> read(std::span<std::byte> buffer) override;

 private:
  void fill_pipeline();
  Result<std::string> fetch_range(std::uint64_t first, std::uint64_t length) const;

  S3Client& client_;
  std::string key_;
  std::uint64_t size_;
  std::string etag_;
  std::uint64_t chunk_size_;
  int concurrency_;
  std::uint64_t next_offset_ = 0;  // first byte not yet requested
  std::deque<std::future<Result<std::string>>> in_flight_;
  std::string chunk_;  // the range being handed out
  std::size_t chunk_position_ = 0;
};

}  // namespace dbkeep::storage::s3
