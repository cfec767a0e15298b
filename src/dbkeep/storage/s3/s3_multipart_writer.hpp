#pragma once
// Streams one object into S3. Bytes collect in a part buffer; a stream that fits in one part is
// sent with a single PUT on commit(). A longer one becomes a multipart upload: each full part is
// uploaded on a worker thread while the caller fills the next, with at most `concurrency` parts
// in flight, so memory stays within (concurrency + 1) × part size. Part sizes grow (doubling
// every 900 parts) so any stream up to S3's 5 TiB object limit fits in 10,000 parts.
//
// commit() uploads the last part and completes the upload; the object appears only then. A
// writer destroyed uncommitted, or whose upload failed, aborts the multipart upload so no
// parts stay stored (and billed).

#include <cstdint>
#include <deque>
#include <future>
#include <string>
#include <vector>

#include "dbkeep/storage/backend.hpp"
#include "dbkeep/storage/s3/s3_client.hpp"

namespace dbkeep::storage::s3 {

struct S3WriteSettings {
  std::uint64_t part_size = 16ULL << 20;  // size of parts 1..1000
  int concurrency = 4;
  std::string checksum = "sha256";   // sha256 | md5 | none: how each body's integrity is proven
  std::vector<std::string> headers;  // for the PUT / CreateMultipartUpload (class, SSE)
};

// Size of part `part_number` (1-based) for a stream whose first parts are `base` bytes.
std::uint64_t s3_part_size(std::uint64_t base, int part_number);
inline constexpr int kS3MaxParts = 10000;

class S3MultipartWriter final : public Writer {
 public:
  S3MultipartWriter(S3Client& client, std::string key, S3WriteSettings settings);
  S3MultipartWriter(const S3MultipartWriter&) = delete;
  S3MultipartWriter& operator=(const S3MultipartWriter&) = delete;
  ~S3MultipartWriter() override;

  Result<void> write(std::span<const std::byte> data) override;
  Result<void> commit() override;

 private:
  Result<void> start_part_upload();
  Result<void> collect_oldest_part();
  Result<void> abort_after(Error error);
  void abort_upload();
  void add_checksum(S3Request& request, std::string_view body) const;

  S3Client& client_;
  std::string key_;
  S3WriteSettings settings_;
  std::string buffer_;  // the part being filled
  std::string upload_id_;
  int parts_started_ = 0;
  std::deque<std::future<Result<std::string>>> in_flight_;  // ETags of parts, in order
  std::vector<std::string> etags_;
  bool finished_ = false;  // committed, or failed and aborted
};

}  // namespace dbkeep::storage::s3
