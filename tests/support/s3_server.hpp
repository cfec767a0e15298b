#pragma once
// A real S3-compatible server on loopback for tests: tests/s3/server.js, which runs s3rver
// behind a front that checks SigV4 signatures and payload checksums, implements
// AbortMultipartUpload/ListMultipartUploads, and injects faults on request (see server.js).
// One bucket; access key S3RVER, secret dbkeep-test-secret-Qx4. The destructor stops the server and
// removes its data. s3_missing_reason() says why it cannot run here (node or the npm packages
// missing: run scripts/install-deps).

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/storage/s3/s3_backend.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::test {

std::optional<std::string> s3_missing_reason();

#define DBKEEP_SKIP_WITHOUT_S3()                                        \
  do {                                                                  \
    if (auto dbkeep_s3_reason_ = ::dbkeep::test::s3_missing_reason()) { \
      GTEST_SKIP() << "no S3 test server: " << *dbkeep_s3_reason_;      \
    }                                                                   \
  } while (false)

class S3Server {
 public:
  static Result<std::unique_ptr<S3Server>> start();
  ~S3Server();
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;

  [[nodiscard]] std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] static std::string bucket() { return "dbkeep-test"; }
  // Where s3rver keeps the objects on disk (every stored byte is below it).
  [[nodiscard]] std::filesystem::path storage_dir() const { return directory_.path() / "data"; }
  [[nodiscard]] static std::string access_key() { return "S3RVER"; }
  [[nodiscard]] static std::string secret_key() { return "dbkeep-test-secret-Qx4"; }

  // Backend options for objects under `prefix` ("" or ending in '/'), with quick retries.
  [[nodiscard]] storage::s3::S3BackendOptions backend_options(const std::string& prefix) const;

  // Replaces the injected faults (JSON list, see server.js); "[]" clears them.
  Result<void> set_faults(const std::string& json) const;
  // Request counts by kind as JSON, e.g. {"GET ?list-type":2,"PUT object":5}.
  Result<std::string> stats() const;
  // Keys of multipart uploads started and neither completed nor aborted.
  Result<std::vector<std::string>> pending_uploads() const;

 private:
  S3Server() = default;
  core::TempDir directory_ = make_temp_dir();
  std::optional<core::ChildProcess> process_;
  unsigned port_ = 0;
};

// One server for all tests of a suite (starting one takes about a second):
//   static void SetUpTestSuite() { SuiteS3Server::start(); }
//   static void TearDownTestSuite() { SuiteS3Server::stop(); }
//   void SetUp() override {
//     DBKEEP_SKIP_WITHOUT_S3();
//     ASSERT_TRUE(SuiteS3Server::running()) << SuiteS3Server::start_error();
//   }
class SuiteS3Server {
 public:
  // Does nothing when s3_missing_reason() (the tests then skip with it).
  static void start();
  static void stop();
  [[nodiscard]] static bool running() { return slot() != nullptr; }
  [[nodiscard]] static const std::string& start_error() { return error(); }
  static S3Server& server() { return *slot(); }

 private:
  static std::unique_ptr<S3Server>& slot();
  static std::string& error();
};

}  // namespace dbkeep::test
