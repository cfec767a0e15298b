// The real dbkeep binary with its repository in S3 (the loopback test server): SQLite backup,
// list, verify, restore, prune-free cleanup; wrong credentials; no secret in the log.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/sha256.hpp"
#include "dbkeep/source/sqlite/sqlite_database.hpp"
#include "support/s3_server.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

void write_secret(const std::filesystem::path& path, const std::string& secret) {
  std::ofstream(path) << secret << "\n";
  ::chmod(path.c_str(), 0600);
}

class S3EndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DBKEEP_SKIP_WITHOUT_S3();
    auto started = S3Server::start();
    ASSERT_TRUE(started) << started.error().message;
    server_ = std::move(*started);
    workspace_.fill(2000, 200, /*wal=*/true);
    write_config(S3Server::secret_key());
  }

  // Points the workspace's config at the S3 server (part_size at S3's 5M minimum, checksum md5
  // so the payload checksum path through the binary is the other one than the unit default).
  void write_config(const std::string& secret) {
    write_secret(workspace_.dir() / "key_id", S3Server::access_key());
    write_secret(workspace_.dir() / "secret", secret);
    std::ofstream out(workspace_.config());
    out << "[repository]\nurl = \"s3://" << S3Server::bucket() << "/team/db\"\n"
        << "endpoint = \"" << server_->endpoint() << "\"\n"
        << "access_key_id_file = \"" << (workspace_.dir() / "key_id").string() << "\"\n"
        << "secret_access_key_file = \"" << (workspace_.dir() / "secret").string() << "\"\n"
        << "storage_class = \"STANDARD_IA\"\nchecksum = \"md5\"\n"
        << "state_dir = \"" << (workspace_.dir() / "state").string() << "\"\n"
        << "temp_dir = \"" << workspace_.temp().string() << "\"\n"
        << "[log]\nfile = \"" << (workspace_.dir() / "dbkeep.log").string() << "\"\n"
        << "[[set]]\nname = \"app\"\nsource = \"sqlite\"\nmethod = \"online\"\n"
        << "[set.retention]\nkeep_last = 1\n"
        << "[set.sqlite]\npath = \"" << workspace_.database().string() << "\"\n";
  }

  SqliteWorkspace workspace_;
  std::unique_ptr<S3Server> server_;
};

TEST_F(S3EndToEndTest, BackupListVerifyRestoreThroughS3) {
  auto backup = workspace_.dbkeep_json({"--verbose", "backup"});
  ASSERT_EQ(backup["backups"].size(), 1U);
  std::string id = backup["backups"][0]["id"];
  EXPECT_EQ(workspace_.listed_ids(), std::vector<std::string>{id});

  auto verify = workspace_.dbkeep({"verify", "--latest"});
  EXPECT_EQ(verify.exit_code, 0) << verify.stderr_text;

  auto target = workspace_.dir() / "restored.db";
  auto restore = workspace_.dbkeep({"restore", id, "--sqlite-path", target.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.stderr_text;
  auto restored =
      source::sqlite::SqliteDatabase::open(target, source::sqlite::SqliteDatabase::Mode::kReadOnly);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->query_text("SELECT count(*) FROM t").value(), "2000");
  EXPECT_EQ(restored->query_text("SELECT sum(length(payload)) FROM t").value(), "400000");

  // The objects are where the layout says, under the URL's prefix, and nothing is pending.
  storage::s3::S3Backend raw(server_->backend_options(""));
  auto listed = raw.list("team/db/app/" + id + "/");
  ASSERT_TRUE(listed) << listed.error().message;
  bool has_manifest = false;
  for (const auto& object : *listed) has_manifest |= object.key.ends_with("/manifest.json");
  EXPECT_TRUE(has_manifest);
  auto pending = server_->pending_uploads();
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());

  std::string log = read_file(workspace_.dir() / "dbkeep.log");
  EXPECT_NE(log.find("s3://dbkeep-test/team/db"), std::string::npos) << log;
  EXPECT_EQ(log.find(S3Server::secret_key()), std::string::npos) << "secret leaked into the log";
  EXPECT_EQ(backup.dump().find(S3Server::secret_key()), std::string::npos);
}

TEST_F(S3EndToEndTest, ObjectsAreReadableByAnIndependentClientWithTheSameChecksums) {
  if (!std::filesystem::exists("/usr/bin/rclone")) {
    GTEST_SKIP() << "rclone is not installed (scripts/install-deps installs it)";
  }
  // The manifest's digest and stored size are of the object as stored (zstd here), so any
  // client that reads the object can check it: `rclone cat … | sha256sum`.
  auto backup = workspace_.dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U);
  std::string id = backup["backups"][0]["id"];
  auto manifest = workspace_.dbkeep_json({"show", id});
  ASSERT_FALSE(manifest["files"].empty()) << manifest.dump(2);

  // rclone with its own S3 signer, configured only through its environment (an on-the-fly
  // ":s3:" remote); AWS_CA_BUNDLE from this environment breaks it even for http.
  std::map<std::string, std::string> rclone_env{
      {"RCLONE_CONFIG", (workspace_.dir() / "rclone.conf").string()},
      {"RCLONE_S3_PROVIDER", "Other"},
      {"RCLONE_S3_ENDPOINT", server_->endpoint()},
      {"RCLONE_S3_ACCESS_KEY_ID", S3Server::access_key()},
      {"RCLONE_S3_SECRET_ACCESS_KEY", S3Server::secret_key()},
      {"RCLONE_S3_FORCE_PATH_STYLE", "true"},
      {"RCLONE_S3_REGION", "us-east-1"}};
  core::SystemCommandRunner runner;
  for (const auto& file : manifest["files"]) {
    std::string key = S3Server::bucket() + "/team/db/" + file["stored_key"].get<std::string>();
    auto read = runner.run({.argv = {"env", "-u", "AWS_CA_BUNDLE", "rclone", "cat", ":s3:" + key},
                            .extra_env = rclone_env});
    ASSERT_TRUE(read) << read.error().message;
    ASSERT_TRUE(read->success()) << key << ": " << read->stderr_text;
    EXPECT_EQ(file["codec"], "zstd");
    EXPECT_EQ(read->stdout_text.size(), file["stored_size"].get<std::uint64_t>()) << key;
    EXPECT_EQ(core::sha256_hex(std::as_bytes(std::span(read->stdout_text))),
              file["stored_sha256"].get<std::string>())
        << key;
  }
}

TEST_F(S3EndToEndTest, TransientServerFailuresDoNotFailTheBackup) {
  ASSERT_TRUE(server_->set_faults(R"([
    {"method":"PUT","status":503,"code":"SlowDown","count":2},
    {"method":"GET","drop":true,"count":1}])"));
  auto backup = workspace_.dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U);
  EXPECT_EQ(workspace_.listed_ids().size(), 1U);
}

TEST_F(S3EndToEndTest, CheckConfigProbesTheBucket) {
  auto check = workspace_.dbkeep({"check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;
  EXPECT_NE(check.stdout_text.find("ok    put probe object in s3://dbkeep-test/team/db"),
            std::string::npos)
      << check.stdout_text;
  EXPECT_NE(check.stdout_text.find("ok    delete probe object"), std::string::npos)
      << check.stdout_text;
  storage::s3::S3Backend raw(server_->backend_options(""));
  auto left = raw.list("");
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty()) << "the probe object must be removed";

  write_config("wrong-secret-value");
  check = workspace_.dbkeep({"check-config"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.stdout_text.find("FAIL  put probe object"), std::string::npos)
      << check.stdout_text;
  EXPECT_NE(check.stdout_text.find("SignatureDoesNotMatch"), std::string::npos);
}

TEST_F(S3EndToEndTest, WrongSecretFailsClearlyWithExitOne) {
  write_config("wrong-secret-value");
  auto list = workspace_.dbkeep({"list"});
  EXPECT_EQ(list.exit_code, 1) << list.stdout_text;
  EXPECT_NE(list.stderr_text.find("SignatureDoesNotMatch"), std::string::npos) << list.stderr_text;
  EXPECT_NE(list.stderr_text.find("s3://dbkeep-test/"), std::string::npos) << list.stderr_text;
  EXPECT_EQ(list.stderr_text.find("wrong-secret-value"), std::string::npos) << list.stderr_text;
}

}  // namespace
}  // namespace dbkeep::test
