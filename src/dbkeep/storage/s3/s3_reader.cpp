#include "dbkeep/storage/s3/s3_reader.hpp"

#include <algorithm>
#include <cstring>

namespace dbkeep::storage::s3 {

S3Reader::S3Reader(S3Client& client, std::string key, std::uint64_t size, std::string etag,
                   std::uint64_t chunk_size, int concurrency)
    : client_(client),
      key_(std::move(key)),
      size_(size),
      etag_(std::move(etag)),
      chunk_size_(std::max<std::uint64_t>(chunk_size, 1)),
      concurrency_(std::max(concurrency, 1)) {}

S3Reader::~S3Reader() {
  for (auto& pending : in_flight_) pending.wait();
}

void S3Reader::fill_pipeline() {
  while (in_flight_.size() < static_cast<std::size_t>(concurrency_) && next_offset_ < size_) {
    std::uint64_t first = next_offset_;
    std::uint64_t length = std::min(chunk_size_, size_ - first);
    next_offset_ += length;
    in_flight_.push_back(std::async(std::launch::async,
                                    [this, first, length] { return fetch_range(first, length); }));
  }
}

Result<std::string> S3Reader::fetch_range(std::uint64_t first, std::uint64_t length) const {
  S3Request request{.method = "GET",
                    .key = key_,
                    .headers = {"Range: bytes=" + std::to_string(first) + "-" +
                                std::to_string(first + length - 1)}};
  if (!etag_.empty()) request.headers.push_back("If-Match: " + etag_);
  request.expected_body_bytes = length;
  TRY_ASSIGN(auto response, client_.send(request));
  if (response.body.size() != length) {
    return fail("S3 GET " + client_.location(key_) + ": range at " + std::to_string(first) +
                " returned " + std::to_string(response.body.size()) + " bytes, expected " +
                std::to_string(length));
  }
  return std::move(response.body);
}

Result<std::size_t> S3Reader::read(std::span<std::byte> buffer) {
  if (buffer.empty()) return 0;
  while (chunk_position_ == chunk_.size()) {
    fill_pipeline();
    if (in_flight_.empty()) return 0;  // end of object
    auto next = in_flight_.front().get();
    in_flight_.pop_front();
    TRY(next);
    chunk_ = std::move(*next);
    chunk_position_ = 0;
    fill_pipeline();
  }
  std::size_t count = std::min(buffer.size(), chunk_.size() - chunk_position_);
  std::memcpy(buffer.data(), chunk_.data() + chunk_position_, count);
  chunk_position_ += count;
  return count;
}

}  // namespace dbkeep::storage::s3
