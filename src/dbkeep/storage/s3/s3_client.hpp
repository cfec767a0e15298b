#pragma once
// One S3 bucket over HTTP(S): builds URLs (path-style or virtual-host), signs every request with
// AWS Signature V4 (libcurl's CURLOPT_AWS_SIGV4), and retries transient failures under a
// RetryPolicy. Thread-safe: each thread keeps its own curl handle (and so its connections).
//
// Errors name the operation, the object as s3://bucket/key, the HTTP status and S3's error
// code and message — never a credential.

#include <chrono>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/storage/s3/s3_credentials.hpp"
#include "dbkeep/storage/s3/s3_retry.hpp"

namespace dbkeep::storage::s3 {

struct S3ClientOptions {
  std::string endpoint;  // "https://host[:port]", no trailing '/'
  std::string bucket;
  std::string region = "us-east-1";
  bool path_style = true;
  std::optional<std::filesystem::path> ca_file;
  S3Credentials credentials;
  RetryPolicy retry;
};

struct S3Request {
  std::string method = "GET";  // GET HEAD PUT POST DELETE
  std::string key;             // full object key; empty for bucket-level requests
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;
  // true: x-amz-content-sha256 carries the body's SHA-256, which S3 verifies; false: the
  // literal UNSIGNED-PAYLOAD (the body is then covered by Content-MD5 or nothing).
  bool sign_payload = false;
  // A ranged GET's length: the response body is reserved at this size up front (no regrowth
  // while it arrives) and a longer body is cut off as an error. 0: no expectation.
  std::size_t expected_body_bytes = 0;
};

struct S3Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  [[nodiscard]] std::string header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
  }
};

class S3Client {
 public:
  explicit S3Client(S3ClientOptions options);

  // Sends `request`, retrying transient failures. Returns the response when its status is 2xx
  // or listed in `accepted` (e.g. 404 for an existence check); otherwise an error.
  Result<S3Response> send(const S3Request& request, std::initializer_list<long> accepted = {});

  // "s3://bucket/key", for messages.
  [[nodiscard]] std::string location(std::string_view key) const;
  [[nodiscard]] const S3ClientOptions& options() const { return options_; }

  // RFC 3986 percent-encoding as SigV4 wants it; '/' kept when `keep_slash`.
  static std::string uri_encode(std::string_view text, bool keep_slash);
  // Base64 of the MD5 of `data`, the value of a Content-MD5 header.
  static std::string content_md5(std::string_view data);

 private:
  [[nodiscard]] std::string url_for(const S3Request& request) const;
  struct Attempt {
    S3Response response;
    int curl_code = 0;
    std::string curl_error;
  };
  Attempt perform(const S3Request& request, const std::string& url) const;

  S3ClientOptions options_;
};

}  // namespace dbkeep::storage::s3
