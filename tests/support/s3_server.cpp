#include "support/s3_server.hpp"

#include <curl/curl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "dbkeep/core/executable_path.hpp"
#include "dbkeep/storage/s3/s3_xml.hpp"

namespace dbkeep::test {
namespace {

const std::filesystem::path kServerDirectory =
    std::filesystem::path(DBKEEP_SOURCE_DIR) / "tests/s3";

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// A plain unsigned request to the server's control endpoints (/__faults, /__stats).
Result<std::string> control_request(const std::string& url, const std::string* post_body) {
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  if (post_body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body->c_str());
  }
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK || status >= 300) {
    return fail("S3 test server control request " + url + " failed: " + curl_easy_strerror(code) +
                " HTTP " + std::to_string(status));
  }
  return body;
}

}  // namespace

std::optional<std::string> s3_missing_reason() {
  if (!core::find_executable("node"))
    return "node is not installed (scripts/install-deps installs nodejs and npm)";
  for (const char* package : {"s3rver", "@smithy/signature-v4", "@aws-crypto/sha256-js"}) {
    if (!std::filesystem::exists(kServerDirectory / "node_modules" / package)) {
      return std::string("npm package ") + package + " is missing in " + kServerDirectory.string() +
             " (run: npm ci --prefix " + kServerDirectory.string() + ")";
    }
  }
  return std::nullopt;
}

Result<std::unique_ptr<S3Server>> S3Server::start() {
  std::unique_ptr<S3Server> server(new S3Server());
  TRY_ASSIGN(auto process, core::ChildProcess::spawn(
                               {.argv = {"node", (kServerDirectory / "server.js").string(),
                                         (server->directory_.path() / "data").string(), bucket()},
                                .pipe_stdout = true}));
  server->process_.emplace(std::move(process));
  // Wait for "listening PORT\n"; node may take several seconds on a busy machine.
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (output.find('\n') == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) {
      return fail("S3 test server did not report its port within 60 s");
    }
    pollfd ready{.fd = server->process_->stdout_fd().get(), .events = POLLIN, .revents = 0};
    if (::poll(&ready, 1, 1000) <= 0) continue;
    char buffer[256];
    ssize_t count = ::read(ready.fd, buffer, sizeof buffer);
    if (count <= 0) return fail("S3 test server exited before listening (see stderr above)");
    output.append(buffer, static_cast<std::size_t>(count));
  }
  if (!output.starts_with("listening ")) return fail("S3 test server said: " + output);
  server->port_ = static_cast<unsigned>(std::stoul(output.substr(10)));
  return server;
}

S3Server::~S3Server() {
  if (process_) process_->terminate();
}

storage::s3::S3BackendOptions S3Server::backend_options(const std::string& prefix) const {
  storage::s3::S3BackendOptions options;
  options.client.endpoint = endpoint();
  options.client.bucket = bucket();
  options.client.path_style = true;
  options.client.credentials = {access_key(), secret_key(), std::nullopt};
  options.client.retry.first_delay = std::chrono::milliseconds(10);
  options.client.retry.max_delay = std::chrono::milliseconds(100);
  options.client.retry.total_budget = std::chrono::milliseconds(20000);
  options.prefix = prefix;
  return options;
}

Result<void> S3Server::set_faults(const std::string& json) const {
  TRY(control_request(endpoint() + "/__faults", &json));
  return {};
}

Result<std::string> S3Server::stats() const {
  return control_request(endpoint() + "/__stats", nullptr);
}

Result<std::vector<std::string>> S3Server::pending_uploads() const {
  storage::s3::S3Client client(backend_options("").client);
  TRY_ASSIGN(auto response, client.send({.method = "GET", .query = {{"uploads", ""}}}));
  return storage::s3::s3xml::all_text(response.body, "Key");
}

void SuiteS3Server::start() {
  if (s3_missing_reason()) return;
  auto started = S3Server::start();
  if (started) {
    slot() = std::move(*started);
  } else {
    error() = started.error().message;
  }
}

void SuiteS3Server::stop() {
  slot().reset();
  error().clear();
}

std::unique_ptr<S3Server>& SuiteS3Server::slot() {
  static std::unique_ptr<S3Server> server;
  return server;
}

std::string& SuiteS3Server::error() {
  static std::string message;
  return message;
}

}  // namespace dbkeep::test
