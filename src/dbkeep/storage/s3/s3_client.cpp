#include "dbkeep/storage/s3/s3_client.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/sha256.hpp"
#include "dbkeep/storage/s3/s3_xml.hpp"

namespace dbkeep::storage::s3 {
namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One easy handle per thread, reset between requests, so connections are reused.
struct ThreadHandle {
  CURL* handle = curl_easy_init();
  ~ThreadHandle() { curl_easy_cleanup(handle); }
};
CURL* thread_handle() {
  thread_local ThreadHandle holder;
  curl_easy_reset(holder.handle);
  return holder.handle;
}

struct CurlHeaders {
  curl_slist* list = nullptr;
  ~CurlHeaders() { curl_slist_free_all(list); }
  void add(const std::string& header) { list = curl_slist_append(list, header.c_str()); }
};

// Where a response body goes, and how much of it is acceptable (0: any amount).
struct BodyTarget {
  std::string* body;
  std::size_t limit;
  bool overflowed = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* target = static_cast<BodyTarget*>(user);
  // Error bodies (S3's XML) are small; only object data can be long.
  constexpr std::size_t kErrorBodySlack = 64 * 1024;
  if (target->limit != 0 && target->body->size() + size * count > target->limit + kErrorBodySlack) {
    target->overflowed = true;
    return 0;  // curl aborts the transfer with CURLE_WRITE_ERROR
  }
  target->body->append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  std::string_view line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = std::string(value);
  }
  return size * count;
}

bool is_retryable_curl(int code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

}  // namespace

S3Client::S3Client(S3ClientOptions options) : options_(std::move(options)) {
  global_init_once();
  while (options_.endpoint.ends_with('/')) options_.endpoint.pop_back();
}

std::string S3Client::location(std::string_view key) const {
  return "s3://" + options_.bucket + "/" + std::string(key);
}

std::string S3Client::uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string S3Client::content_md5(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  unsigned char encoded[64];
  int encoded_length = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return std::string(reinterpret_cast<char*>(encoded), static_cast<std::size_t>(encoded_length));
}

std::string S3Client::url_for(const S3Request& request) const {
  const std::string& endpoint = options_.endpoint;
  std::string url;
  if (options_.path_style) {
    url = endpoint + "/" + options_.bucket;
    if (!request.key.empty()) url += "/" + uri_encode(request.key, true);
  } else {
    auto scheme_end = endpoint.find("://") + 3;
    url = endpoint.substr(0, scheme_end) + options_.bucket + "." + endpoint.substr(scheme_end) +
          "/" + uri_encode(request.key, true);
  }
  // SigV4 wants the canonical query sorted by name with every name and value encoded; sending
  // it in exactly that form means the signature holds whatever curl does with the query.
  auto query = request.query;
  std::sort(query.begin(), query.end());
  for (std::size_t i = 0; i < query.size(); ++i) {
    url += (i == 0 ? "?" : "&") + uri_encode(query[i].first, false) + "=" +
           uri_encode(query[i].second, false);
  }
  return url;
}

S3Client::Attempt S3Client::perform(const S3Request& request, const std::string& url) const {
  Attempt attempt;
  CURL* curl = thread_handle();
  char error_buffer[CURL_ERROR_SIZE] = {};
  const std::string sigv4 = "aws:amz:" + options_.region + ":s3";

  CurlHeaders headers;
  for (const auto& header : request.headers) headers.add(header);
  headers.add("x-amz-content-sha256: " +
              (request.sign_payload ? core::sha256_hex(std::as_bytes(std::span(request.body)))
                                    : std::string("UNSIGNED-PAYLOAD")));
  if (options_.credentials.session_token) {
    headers.add("x-amz-security-token: " + *options_.credentials.session_token);
  }
  headers.add("Expect:");  // no 100-continue round trip
  bool has_content_type = std::ranges::any_of(
      request.headers, [](const std::string& h) { return h.starts_with("Content-Type:"); });
  if (!has_content_type) headers.add("Content-Type: application/octet-stream");

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, options_.credentials.access_key_id.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.credentials.secret_access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
  // A transfer slower than 1 KiB/s for a minute is stuck: time out and retry.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  if (options_.ca_file) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file->c_str());
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    // Never a null pointer: curl would then read the body from stdin.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  attempt.response.body.reserve(request.expected_body_bytes);
  BodyTarget body_target{&attempt.response.body, request.expected_body_bytes};
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body_target);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &attempt.response.headers);

  CURLcode code = curl_easy_perform(curl);
  attempt.curl_code = static_cast<int>(code);
  if (code != CURLE_OK) {
    attempt.curl_error =
        body_target.overflowed
            ? "the server sent more than the " + std::to_string(request.expected_body_bytes) +
                  " bytes asked for"
            : std::string(error_buffer[0] ? error_buffer : curl_easy_strerror(code));
    return attempt;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &attempt.response.status);
  return attempt;
}

Result<S3Response> S3Client::send(const S3Request& request, std::initializer_list<long> accepted) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const std::string url = url_for(request);
  const auto started = std::chrono::steady_clock::now();
  const std::string what = "S3 " + request.method + " " + location(request.key);
  for (int attempt_number = 1;; ++attempt_number) {
    Attempt attempt = perform(request, url);
    const long status = attempt.response.status;
    std::string problem;
    bool retryable = false;
    if (attempt.curl_code != 0) {
      problem = attempt.curl_error;
      retryable = is_retryable_curl(attempt.curl_code);
    } else if ((status >= 200 && status < 300) ||
               std::ranges::find(accepted, status) != accepted.end()) {
      // CompleteMultipartUpload and DeleteObjects (POSTs) can fail with 200 and an <Error>
      // body; other bodies are object data, never parsed.
      if (status != 200 || request.method != "POST") return std::move(attempt.response);
      auto error = s3xml::parse_error(attempt.response.body);
      if (error.code.empty()) return std::move(attempt.response);
      problem = error.code + ": " + error.message;
      retryable = RetryPolicy::is_retryable_status(0, error.code);
    } else {
      auto error = s3xml::parse_error(attempt.response.body);
      problem = "HTTP " + std::to_string(status);
      if (!error.code.empty()) problem += " " + error.code;
      if (!error.message.empty()) problem += ": " + error.message;
      if (error.code.empty() && status == 403) {
        // HEAD answers carry no body, so no S3 error code: say what a 403 usually means.
        problem +=
            " AccessDenied or SignatureDoesNotMatch (check the credentials and the "
            "bucket policy)";
      }
      retryable = RetryPolicy::is_retryable_status(status, error.code);
    }
    problem = log::redact(problem);
    auto delay = options_.retry.delay_before(attempt_number, random);
    auto elapsed = std::chrono::steady_clock::now() - started;
    if (!retryable || attempt_number >= options_.retry.max_attempts ||
        elapsed + delay > options_.retry.total_budget) {
      std::string tries =
          attempt_number > 1 ? " (after " + std::to_string(attempt_number) + " attempts)" : "";
      return fail(what + ": " + problem + tries);
    }
    log::debug(what + ": " + problem + "; retrying in " + std::to_string(delay.count()) + " ms");
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace dbkeep::storage::s3
