#include "dbkeep/storage/s3/s3_multipart_writer.hpp"

#include <algorithm>

#include "dbkeep/core/log.hpp"
#include "dbkeep/storage/s3/s3_xml.hpp"

namespace dbkeep::storage::s3 {

std::uint64_t s3_part_size(std::uint64_t base, int part_number) {
  constexpr std::uint64_t kMaxPartSize = 5ULL << 30;
  // Doubling every 900 parts: with S3's smallest part size (5 MiB) the first 9,900 parts reach
  // the 5 GiB cap and hold more than the 5 TiB object limit.
  constexpr int kPartsPerSize = 900;
  std::uint64_t size = base;
  for (int doubling = (part_number - 1) / kPartsPerSize; doubling > 0 && size < kMaxPartSize;
       --doubling) {
    size *= 2;
  }
  return std::min(size, kMaxPartSize);
}

S3MultipartWriter::S3MultipartWriter(S3Client& client, std::string key, S3WriteSettings settings)
    : client_(client), key_(std::move(key)), settings_(std::move(settings)) {}

S3MultipartWriter::~S3MultipartWriter() {
  if (finished_) return;
  abort_upload();
}

void S3MultipartWriter::add_checksum(S3Request& request, std::string_view body) const {
  if (settings_.checksum == "md5")
    request.headers.push_back("Content-MD5: " + S3Client::content_md5(body));
  request.sign_payload = settings_.checksum == "sha256";
}

Result<void> S3MultipartWriter::write(std::span<const std::byte> data) {
  if (finished_) return fail("write to " + client_.location(key_) + " after commit or failure");
  std::string_view bytes(reinterpret_cast<const char*>(data.data()), data.size());
  while (!bytes.empty()) {
    std::uint64_t part_size = s3_part_size(settings_.part_size, parts_started_ + 1);
    // A full part is sent only once more bytes follow, so a stream of exactly one part size
    // still goes out as one PUT.
    if (buffer_.size() >= part_size) {
      if (auto started = start_part_upload(); !started) return abort_after(started.error());
      continue;
    }
    if (buffer_.capacity() < part_size) buffer_.reserve(part_size);
    std::size_t take = std::min<std::size_t>(bytes.size(), part_size - buffer_.size());
    buffer_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
  }
  return {};
}

Result<void> S3MultipartWriter::start_part_upload() {
  if (upload_id_.empty()) {
    S3Request create{
        .method = "POST", .key = key_, .query = {{"uploads", ""}}, .headers = settings_.headers};
    TRY_ASSIGN(auto response, client_.send(create));
    auto upload_id = s3xml::first_text(response.body, "UploadId");
    if (!upload_id || upload_id->empty()) {
      return fail("S3 CreateMultipartUpload " + client_.location(key_) + ": no UploadId in reply");
    }
    upload_id_ = *upload_id;
  }
  if (parts_started_ >= kS3MaxParts) {
    return fail(client_.location(key_) + ": stream exceeds S3's 10,000 parts");
  }
  while (in_flight_.size() >= static_cast<std::size_t>(std::max(1, settings_.concurrency))) {
    TRY(collect_oldest_part());
  }
  int part_number = ++parts_started_;
  in_flight_.push_back(std::async(
      std::launch::async, [this, part_number, body = std::move(buffer_)]() -> Result<std::string> {
        S3Request request{
            .method = "PUT",
            .key = key_,
            .query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id_}},
            .body = body};
        add_checksum(request, body);
        TRY_ASSIGN(auto response, client_.send(request));
        std::string etag = response.header("etag");
        if (etag.empty()) {
          return fail("S3 UploadPart " + client_.location(key_) + " part " +
                      std::to_string(part_number) + ": no ETag in reply");
        }
        return etag;
      }));
  buffer_ = std::string();
  return {};
}

Result<void> S3MultipartWriter::collect_oldest_part() {
  auto etag = in_flight_.front().get();
  in_flight_.pop_front();
  TRY(etag);
  etags_.push_back(std::move(*etag));
  return {};
}

Result<void> S3MultipartWriter::commit() {
  if (finished_) return fail("commit of " + client_.location(key_) + " after commit or failure");
  if (upload_id_.empty()) {
    S3Request put{.method = "PUT", .key = key_, .headers = settings_.headers, .body = buffer_};
    add_checksum(put, buffer_);
    if (auto sent = client_.send(put); !sent) return abort_after(sent.error());
    finished_ = true;
    buffer_ = std::string();
    return {};
  }
  if (auto started = start_part_upload(); !started) return abort_after(started.error());
  while (!in_flight_.empty()) {
    if (auto collected = collect_oldest_part(); !collected) return abort_after(collected.error());
  }
  std::string body = s3xml::complete_multipart_body(etags_);
  S3Request complete{
      .method = "POST",
      .key = key_,
      .query = {{"uploadId", upload_id_}},
      .headers = {"Content-Type: application/xml", "Content-MD5: " + S3Client::content_md5(body)},
      .body = body};
  if (auto sent = client_.send(complete); !sent) return abort_after(sent.error());
  finished_ = true;
  return {};
}

Result<void> S3MultipartWriter::abort_after(Error error) {
  abort_upload();
  return std::unexpected(std::move(error));
}

void S3MultipartWriter::abort_upload() {
  finished_ = true;
  buffer_ = std::string();
  while (!in_flight_.empty()) {
    in_flight_.front().wait();
    in_flight_.pop_front();
  }
  if (upload_id_.empty()) return;
  S3Request abort{.method = "DELETE", .key = key_, .query = {{"uploadId", upload_id_}}};
  if (auto sent = client_.send(abort, {404}); !sent) {
    log::warn(
        "could not abort the unfinished upload of " + client_.location(key_) +
        "; its parts stay stored until a lifecycle rule removes them: " + sent.error().message);
  }
  upload_id_.clear();
}

}  // namespace dbkeep::storage::s3
