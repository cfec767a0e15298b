// [repository] url = "s3://…" and its keys.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "dbkeep/core/config.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::core {
namespace {

constexpr const char* kSet = R"(
[[set]]
name = "app"
source = "sqlite"
method = "online"
[set.sqlite]
path = "/var/lib/app.db"
)";

Result<Config> parse_s3(const std::string& repository, const Environment& env = {}) {
  return parse_config("[repository]\n" + repository + kSet, "dbkeep.toml", env);
}

TEST(S3ConfigTest, ParsesUrlAndDefaults) {
  auto config = parse_s3("url = \"s3://my-bucket/backups/db/\"\n");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_TRUE(config->repository.s3);
  const auto& s3 = *config->repository.s3;
  EXPECT_EQ(s3.bucket, "my-bucket");
  EXPECT_EQ(s3.prefix, "backups/db/");
  EXPECT_EQ(s3.region, "us-east-1");
  EXPECT_FALSE(s3.endpoint);
  EXPECT_EQ(s3.checksum, "sha256");
  EXPECT_TRUE(config->repository.path.empty());
  // Locks must be local: a stable directory per repository URL.
  EXPECT_TRUE(config->repository.state_dir.string().starts_with("/var/lib/dbkeep/"));
  EXPECT_EQ(config->repository.state_dir,
            parse_s3("url = \"s3://my-bucket/backups/db/\"\n")->repository.state_dir);
  EXPECT_NE(config->repository.state_dir,
            parse_s3("url = \"s3://other/x\"\n")->repository.state_dir);
}

TEST(S3ConfigTest, ParsesEveryKey) {
  auto dir = test::make_temp_dir();
  auto secret = dir.path() / "secret";
  std::ofstream(secret) << "s3cr3t\n";
  ::chmod(secret.c_str(), 0600);
  auto config = parse_s3(
      "url = \"s3://b\"\nendpoint = \"http://127.0.0.1:9000\"\nregion = \"eu-west-1\"\n"
      "path_style = false\nca_file = \"/etc/ca.pem\"\n"
      "access_key_id_file = \"" +
      secret.string() + "\"\nsecret_access_key_file = \"" + secret.string() +
      "\"\nstorage_class = \"STANDARD_IA\"\nsse = \"aws:kms\"\n"
      "sse_kms_key_id = \"k1\"\npart_size = \"64M\"\nconcurrency = 8\nchecksum = \"md5\"\n");
  ASSERT_TRUE(config) << config.error().message;
  const auto& s3 = *config->repository.s3;
  EXPECT_EQ(s3.prefix, "");
  EXPECT_EQ(s3.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(s3.region, "eu-west-1");
  EXPECT_EQ(s3.path_style, false);
  EXPECT_EQ(s3.secret_access_key, "s3cr3t");
  EXPECT_EQ(s3.storage_class, "STANDARD_IA");
  EXPECT_EQ(s3.sse_kms_key_id, "k1");
  EXPECT_EQ(s3.part_size, 64ULL << 20);
  EXPECT_EQ(s3.concurrency, 8);
  EXPECT_EQ(s3.checksum, "md5");
}

TEST(S3ConfigTest, EnvironmentOverridesTheUrl) {
  auto config = parse_s3("path = \"/unused\"\n", {{"DBKEEP_REPOSITORY_URL", "s3://x/y"}});
  ASSERT_FALSE(config) << "path and url together are ambiguous";
  config = parse_s3("", {{"DBKEEP_REPOSITORY_URL", "s3://x/y"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->repository.s3->bucket, "x");
}

TEST(S3ConfigTest, RefusesBadValues) {
  for (const char* bad :
       {"", "path = \"/a\"\nurl = \"s3://b\"\n", "url = \"gs://b/p\"\n", "url = \"s3:///p\"\n",
        "url = \"s3://b//p\"\n", "url = \"s3://b\"\nendpoint = \"ftp://x\"\n",
        "url = \"s3://b\"\nsse = \"rot13\"\n", "url = \"s3://b\"\nsse_kms_key_id = \"k\"\n",
        "url = \"s3://b\"\npart_size = \"1M\"\n", "url = \"s3://b\"\nconcurrency = 0\n",
        "url = \"s3://b\"\nchecksum = \"crc32\"\n", "url = \"s3://b\"\nsecret_access_key = \"x\"\n",
        "path = \"/a\"\nendpoint = \"http://x\"\n"}) {
    auto config = parse_s3(bad);
    ASSERT_FALSE(config) << bad;
    EXPECT_EQ(config.error().kind, ErrorKind::kUsage) << bad;
  }
}

}  // namespace
}  // namespace dbkeep::core
