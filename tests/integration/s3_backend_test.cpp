// The S3 backend against a real S3-compatible server on loopback (tests/s3/server.js: s3rver
// behind a SigV4-checking front that can also inject faults): what only S3 does (single PUT
// or multipart upload, retries, paging, signatures). What every backend does is checked in
// storage_contract_test.cpp.

#include "dbkeep/storage/s3/s3_backend.hpp"

#include <gtest/gtest.h>

#include <random>

#include "dbkeep/core/log.hpp"
#include "support/s3_server.hpp"

namespace dbkeep::test {
namespace {

using storage::s3::S3Backend;
using storage::s3::S3BackendOptions;

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (auto& byte : bytes) byte = static_cast<char>(random());
  return bytes;
}

std::span<const std::byte> as_span(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

// Reads an object back in odd-sized pieces, as the pipeline does.
std::string read_back(storage::Backend& backend, const std::string& key) {
  auto reader = backend.open(key);
  EXPECT_TRUE(reader) << reader.error().message;
  if (!reader) return {};
  std::string content;
  std::vector<std::byte> buffer(70001);
  for (;;) {
    auto count = (*reader)->read(buffer);
    EXPECT_TRUE(count) << count.error().message;
    if (!count || *count == 0) break;
    content.append(reinterpret_cast<const char*>(buffer.data()), *count);
  }
  return content;
}

class S3BackendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { SuiteS3Server::start(); }
  static void TearDownTestSuite() { SuiteS3Server::stop(); }

  void SetUp() override {
    DBKEEP_SKIP_WITHOUT_S3();
    ASSERT_TRUE(SuiteS3Server::running()) << SuiteS3Server::start_error();
    ASSERT_TRUE(server().set_faults("[]"));
  }

  static S3Server& server() { return SuiteS3Server::server(); }
  // Each test works under its own prefix of the shared bucket.
  S3BackendOptions options(std::uint64_t part_size = 5ULL << 20) const {
    auto options = server().backend_options(
        std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "/");
    options.write.part_size = part_size;
    options.write.concurrency = 3;
    return options;
  }
};

TEST_F(S3BackendTest, SmallObjectRoundTripsWithOnePut) {
  S3Backend backend(options());
  ASSERT_TRUE(storage::write_all(backend, "main/1/manifest.json", "{\"ok\":true}"));
  EXPECT_EQ(read_back(backend, "main/1/manifest.json"), "{\"ok\":true}");
  EXPECT_EQ(backend.exists("main/1/manifest.json"), true);
  EXPECT_EQ(backend.exists("main/1/other"), false);
  auto stats = server().stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->find("?uploads"), std::string::npos) << "no multipart upload for small data";
}

TEST_F(S3BackendTest, MultipartObjectRoundTripsWithManyParts) {
  // A tiny part size (the front does not enforce S3's 5 MiB minimum) gives 40+ parts, three in
  // flight, with odd write sizes straddling part boundaries.
  const std::string data = random_bytes(2'000'003, 7);
  for (const char* checksum : {"sha256", "md5", "none"}) {
    auto opts = options(48 * 1024);
    opts.write.checksum = checksum;
    S3Backend backend(opts);
    std::string key = std::string("data/") + checksum + ".zst";
    auto writer = backend.create(key);
    ASSERT_TRUE(writer);
    for (std::size_t at = 0; at < data.size(); at += 33'333) {
      auto piece = as_span(data).subspan(at, std::min<std::size_t>(33'333, data.size() - at));
      ASSERT_TRUE((*writer)->write(piece));
    }
    EXPECT_EQ(backend.exists(key), false) << "visible only after commit";
    auto committed = (*writer)->commit();
    ASSERT_TRUE(committed) << committed.error().message;
    EXPECT_EQ(read_back(backend, key), data) << checksum;
  }
  auto stats = server().stats();
  ASSERT_TRUE(stats);
  EXPECT_NE(stats->find("\"PUT ?uploadId\""), std::string::npos) << *stats;
}

TEST_F(S3BackendTest, AbandonedWriterLeavesNoObjectAndNoPendingUpload) {
  S3Backend backend(options(64 * 1024));
  {
    auto writer = backend.create("data/abandoned");
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->write(as_span(random_bytes(300'000, 1))));
    auto pending = server().pending_uploads();
    ASSERT_TRUE(pending) << pending.error().message;
    EXPECT_EQ(pending->size(), 1U) << "the test must really start a multipart upload";
  }
  EXPECT_EQ(backend.exists("data/abandoned"), false);
  auto pending = server().pending_uploads();
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());
}

TEST_F(S3BackendTest, FailedPartAbortsTheUpload) {
  S3Backend backend(options(64 * 1024));
  // A permanent error (not retried) on the third part.
  ASSERT_TRUE(server().set_faults(
      R"([{"method":"PUT","match":"partNumber=3&","status":403,"code":"AccessDenied","count":1}])"));
  auto writer = backend.create("data/failing");
  ASSERT_TRUE(writer);
  Result<void> outcome;
  for (int i = 0; i < 10 && outcome; ++i)
    outcome = (*writer)->write(as_span(random_bytes(64 * 1024, i)));
  if (outcome) outcome = (*writer)->commit();
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().message.find("AccessDenied"), std::string::npos)
      << outcome.error().message;
  EXPECT_NE(outcome.error().message.find("s3://dbkeep-test/FailedPartAbortsTheUpload/data/failing"),
            std::string::npos)
      << outcome.error().message;
  EXPECT_EQ(backend.exists("data/failing"), false);
  auto pending = server().pending_uploads();
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());
}

TEST_F(S3BackendTest, TransientFailuresAreRetried) {
  S3Backend backend(options(64 * 1024));
  // Two 503 SlowDown answers, one dropped connection and one 500 on the way: all retried.
  ASSERT_TRUE(server().set_faults(R"([
    {"method":"PUT","match":"partNumber=2&","status":503,"code":"SlowDown","count":2},
    {"method":"POST","match":"uploadId","drop":true,"count":1},
    {"method":"GET","status":500,"code":"InternalError","count":1}])"));
  const std::string data = random_bytes(200'000, 3);
  auto writer = backend.create("data/retried");
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->write(as_span(data)));
  auto committed = (*writer)->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  EXPECT_EQ(read_back(backend, "data/retried"), data);
}

TEST_F(S3BackendTest, RetriesStopAtTheAttemptLimit) {
  auto opts = options();
  opts.client.retry.max_attempts = 3;
  S3Backend backend(opts);
  ASSERT_TRUE(
      server().set_faults(R"([{"method":"PUT","status":503,"code":"SlowDown","count":5}])"));
  auto written = storage::write_all(backend, "data/x", "payload");
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("SlowDown"), std::string::npos) << written.error().message;
  EXPECT_NE(written.error().message.find("after 3 attempts"), std::string::npos)
      << written.error().message;
}

TEST_F(S3BackendTest, ListingFollowsContinuationTokens) {
  auto opts = options();
  opts.list_page_size = 2;
  S3Backend backend(opts);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(storage::write_all(backend, "many/" + std::to_string(i) + "/manifest.json", "x"));
  }
  auto listed = backend.list("many/");
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->size(), 5U);
  auto children = backend.list_children("many/");
  ASSERT_TRUE(children) << children.error().message;
  EXPECT_EQ(*children, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  ASSERT_TRUE(backend.remove_prefix("many/"));
  listed = backend.list("many/");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_F(S3BackendTest, MissingKeyErrorNamesBucketAndKey) {
  S3Backend backend(options());
  auto reader = backend.open("main/nope/manifest.json");
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().message,
            "s3://dbkeep-test/MissingKeyErrorNamesBucketAndKey/main/nope/manifest.json not found");
}

TEST_F(S3BackendTest, WrongSecretIsRefusedByTheSignatureCheck) {
  auto opts = options();
  opts.client.credentials.secret_access_key = "not-the-secret";
  S3Backend backend(opts);
  auto listed = backend.list("");
  ASSERT_FALSE(listed);
  EXPECT_NE(listed.error().message.find("HTTP 403 SignatureDoesNotMatch"), std::string::npos)
      << listed.error().message;
  EXPECT_NE(listed.error().message.find("s3://dbkeep-test/"), std::string::npos);
}

}  // namespace
}  // namespace dbkeep::test
