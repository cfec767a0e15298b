// Pure pieces of the S3 backend: XML parsing, part sizing, retry delays, shared credentials.

// g++ 12 at -O2 reports a false -Wmaybe-uninitialized inside std::optional<std::string> when a
// test assigns S3Config's optional secrets and the struct is copied (a known GCC 12 issue).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <gtest/gtest.h>

#include <fstream>

#include "dbkeep/storage/s3/s3_client.hpp"
#include "dbkeep/storage/s3/s3_credentials.hpp"
#include "dbkeep/storage/s3/s3_multipart_writer.hpp"
#include "dbkeep/storage/s3/s3_xml.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::storage::s3 {
namespace {

TEST(S3XmlTest, ParsesAListPageWithPrefixesAndAContinuationToken) {
  auto page = s3xml::parse_list_objects(
      R"(<?xml version="1.0"?><ListBucketResult xmlns="x"><KeyCount>2</KeyCount>)"
      R"(<IsTruncated>true</IsTruncated><NextContinuationToken>t&amp;1</NextContinuationToken>)"
      R"(<Contents><Key>a/b &amp; c</Key><Size>12</Size></Contents>)"
      R"(<Contents><Key>a/d</Key><Size>0</Size></Contents>)"
      R"(<CommonPrefixes><Prefix>a/x/</Prefix></CommonPrefixes></ListBucketResult>)");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->objects.size(), 2U);
  EXPECT_EQ(page->objects[0].key, "a/b & c");
  EXPECT_EQ(page->objects[0].size, 12U);
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"a/x/"});
  EXPECT_EQ(page->continuation_token, "t&1");
}

TEST(S3XmlTest, RefusesWhatIsNotAListing) {
  EXPECT_FALSE(s3xml::parse_list_objects("<html>proxy error</html>"));
  EXPECT_FALSE(s3xml::parse_list_objects(
      "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"));
  EXPECT_FALSE(s3xml::parse_list_objects(
      "<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents></ListBucketResult>"));
}

TEST(S3XmlTest, ReadsErrorCodeAndMessage) {
  auto error = s3xml::parse_error(
      "<Error><Code>NoSuchKey</Code><Message>The key &lt;k&gt; does not exist.</Message></Error>");
  EXPECT_EQ(error.code, "NoSuchKey");
  EXPECT_EQ(error.message, "The key <k> does not exist.");
  EXPECT_EQ(s3xml::parse_error("not xml").code, "");
}

TEST(S3XmlTest, WritesEscapedRequestBodies) {
  EXPECT_EQ(s3xml::delete_objects_body({"a&b"}),
            "<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object></Delete>");
  EXPECT_EQ(s3xml::complete_multipart_body({"\"e1\""}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>"
            "</Part></CompleteMultipartUpload>");
}

TEST(S3PartSizeTest, GrowsSoTheLargestObjectFitsInTenThousandParts) {
  const std::uint64_t base = 5ULL << 20;
  EXPECT_EQ(s3_part_size(base, 1), base);
  EXPECT_EQ(s3_part_size(base, 900), base);
  EXPECT_EQ(s3_part_size(base, 901), 2 * base);
  std::uint64_t total = 0;
  for (int part = 1; part <= kS3MaxParts; ++part) {
    EXPECT_LE(s3_part_size(base, part), 5ULL << 30);
    total += s3_part_size(base, part);
  }
  EXPECT_GE(total, 5ULL << 40) << "S3's 5 TiB object limit must fit";
}

TEST(S3RetryTest, DelaysAreJitteredUnderAnExponentialCap) {
  RetryPolicy policy;
  policy.first_delay = std::chrono::milliseconds(100);
  policy.max_delay = std::chrono::milliseconds(1000);
  std::mt19937_64 random(1);
  for (int attempt = 1; attempt <= 8; ++attempt) {
    long long cap = std::min(100LL << (attempt - 1), 1000LL);
    for (int i = 0; i < 50; ++i) {
      auto delay = policy.delay_before(attempt, random).count();
      EXPECT_GE(delay, 0);
      EXPECT_LE(delay, cap);
    }
  }
  EXPECT_TRUE(RetryPolicy::is_retryable_status(503, ""));
  EXPECT_TRUE(RetryPolicy::is_retryable_status(429, ""));
  EXPECT_TRUE(RetryPolicy::is_retryable_status(400, "RequestTimeout"));
  EXPECT_FALSE(RetryPolicy::is_retryable_status(403, "AccessDenied"));
  EXPECT_FALSE(RetryPolicy::is_retryable_status(404, "NoSuchKey"));
}

TEST(S3ClientTest, EncodesLikeSigV4Wants) {
  EXPECT_EQ(S3Client::uri_encode("a b/c+d~_.-", true), "a%20b/c%2Bd~_.-");
  EXPECT_EQ(S3Client::uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(S3Client::content_md5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
}

TEST(S3CredentialsTest, ConfigFilesWinOverEnvironmentAndSharedFile) {
  core::S3Config config;
  config.access_key_id = "from-config";
  config.secret_access_key = "secret-config";
  auto credentials = resolve_s3_credentials(
      config, {{"AWS_ACCESS_KEY_ID", "from-env"}, {"AWS_SECRET_ACCESS_KEY", "secret-env"}});
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->access_key_id, "from-config");
  config.secret_access_key.reset();
  EXPECT_FALSE(resolve_s3_credentials(config, {})) << "half a key pair is a config error";
}

TEST(S3CredentialsTest, EnvironmentThenSharedFileProfile) {
  auto home = test::make_temp_dir();
  std::filesystem::create_directories(home.path() / ".aws");
  std::ofstream(home.path() / ".aws" / "credentials")
      << "[default]\naws_access_key_id = D\naws_secret_access_key = dsecret\n"
      << "# comment\n[backup]\naws_access_key_id=B\naws_secret_access_key=bsecret\n"
      << "aws_session_token = btoken\n";
  core::Environment environment{{"HOME", home.path().string()}};
  auto fallback = resolve_s3_credentials({}, environment);
  ASSERT_TRUE(fallback) << fallback.error().message;
  EXPECT_EQ(fallback->access_key_id, "D");

  environment["AWS_PROFILE"] = "backup";
  auto profile = resolve_s3_credentials({}, environment);
  ASSERT_TRUE(profile);
  EXPECT_EQ(profile->secret_access_key, "bsecret");
  EXPECT_EQ(profile->session_token, "btoken");

  environment["AWS_ACCESS_KEY_ID"] = "E";
  environment["AWS_SECRET_ACCESS_KEY"] = "esecret";
  auto from_environment = resolve_s3_credentials({}, environment);
  ASSERT_TRUE(from_environment);
  EXPECT_EQ(from_environment->access_key_id, "E");

  environment["AWS_PROFILE"] = "missing";
  environment.erase("AWS_ACCESS_KEY_ID");
  auto none = resolve_s3_credentials({}, environment);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("profile 'missing'"), std::string::npos);
  EXPECT_EQ(none.error().message.find("esecret"), std::string::npos);
}

}  // namespace
}  // namespace dbkeep::storage::s3
