// Point-in-time recovery with the archive on S3 (the test server on loopback) and encrypted
// (repokey): segments go through the same pipeline as backups, so no row of the source is
// readable in the stored bytes, a restore to a noted moment reads them back from S3, and a
// segment whose stored bytes changed (rewritten through S3) fails `verify --archive` and the
// restore: the AEAD tag rejects it before a single event is applied.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "dbkeep/storage/backend.hpp"
#include "support/pitr_suite.hpp"
#include "support/s3_server.hpp"
#include "support/stored_bytes.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = "pitr-marker-5e1b7";
constexpr const char* kPassphrase = "correct horse battery staple 7741";

void write_secret(const fs::path& path, const std::string& secret) {
  std::ofstream(path) << secret << "\n";
  ::chmod(path.c_str(), 0600);
}

class PitrS3Test : public PitrTest {
 protected:
  void SetUp() override {
    PitrTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    DBKEEP_SKIP_WITHOUT_S3();
    auto started = S3Server::start();
    ASSERT_TRUE(started) << started.error().message;
    s3_ = std::move(*started);
    const auto dir = dir_.path();
    write_secret(dir / "key_id", S3Server::access_key());
    write_secret(dir / "secret", S3Server::secret_key());
    write_secret(dir / "pass", kPassphrase);
    fs::create_directories(dir / "tmp");
    std::ofstream(config_) << "[repository]\nurl = \"s3://" << S3Server::bucket() << "/pitr\"\n"
                           << "endpoint = \"" << s3_->endpoint() << "\"\n"
                           << "access_key_id_file = \"" << (dir / "key_id").string() << "\"\n"
                           << "secret_access_key_file = \"" << (dir / "secret").string() << "\"\n"
                           << "encryption = \"repokey\"\npassphrase_file = \""
                           << (dir / "pass").string() << "\"\n"
                           << "state_dir = \"" << (dir / "state").string() << "\"\n"
                           << "temp_dir = \"" << (dir / "tmp").string() << "\"\n"
                           << "[log]\nfile = \"" << (dir / "dbkeep.log").string() << "\"\n"
                           << "[[set]]\nname = \"" << kSet << "\"\nsource = \"mysql\"\n"
                           << "method = \"logical\"\ncompression = \"zstd\"\n"
                           << "[set.mysql]\nsocket = \"" << source().socket().string() << "\"\n"
                           << "user = \"root\"\n[set.logical]\nworkers = 2\n"
                           << kArchive;
  }

  // The keys of the archived segments, listed through S3 (raw: the stored, encrypted bytes).
  std::vector<std::string> segment_keys(storage::Backend& raw) const {
    std::vector<std::string> keys;
    auto objects = raw.list("");
    EXPECT_TRUE(objects) << objects.error().message;
    if (!objects) return keys;
    for (const auto& object : *objects) {
      if (object.key.find("/archive/") != std::string::npos &&
          object.key.find(".binlog") != std::string::npos && !object.key.ends_with(".json")) {
        keys.push_back(object.key);
      }
    }
    std::ranges::sort(keys);
    return keys;
  }

  std::unique_ptr<S3Server> s3_;
};

TEST_F(PitrS3Test, EncryptedSegmentsOnS3RestoreToANotedMomentAndRefuseTampering) {
  source().execute("CREATE DATABASE offsite");
  source().execute("CREATE TABLE offsite.t (id INT PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB");
  start_archiver();
  const auto base = backup();
  ASSERT_FALSE(base.empty());
  source().execute(std::string("INSERT INTO offsite.t SELECT seq, '") + kMarker +
                   "' FROM offsite.seq_1_to_500");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto noted = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  source().execute(std::string("INSERT INTO offsite.t SELECT seq, '") + kMarker +
                   "' FROM offsite.seq_501_to_800");
  wait_until_archived();
  stop_archiver();

  storage::s3::S3Backend raw(s3_->backend_options("pitr/"));
  const auto segments = segment_keys(raw);
  ASSERT_FALSE(segments.empty()) << "no segment reached the S3 server";
  EXPECT_EQ(files_containing(s3_->storage_dir(), kMarker), std::vector<std::string>{})
      << "a row event is readable in the stored bytes";
  EXPECT_EQ(files_containing(s3_->storage_dir(), kPassphrase), std::vector<std::string>{});
  auto verified = dbkeep({"verify", "--archive", "--set", kSet});
  EXPECT_EQ(verified.exit_code, 0) << describe(verified);

  empty_target();
  auto restored = restore_to_target({base, "--to-time", NotedMoment{noted, 0}.utc()});
  ASSERT_EQ(restored.exit_code, 0) << describe(restored);
  EXPECT_EQ(target().query_value("SELECT COUNT(*) FROM offsite.t"), "500");

  // One byte of the newest segment's ciphertext changed, written back through S3 (a server
  // that stores what it is given: the authentication tag is what must notice).
  auto stored = storage::read_all(raw, segments.back());
  ASSERT_TRUE(stored) << stored.error().message;
  (*stored)[stored->size() / 2] ^= 0x5a;
  ASSERT_DONE(storage::write_all(raw, segments.back(), *stored));
  auto refused = dbkeep({"verify", "--archive", "--set", kSet});
  EXPECT_EQ(refused.exit_code, 3) << describe(refused);
  EXPECT_TRUE(contains(refused.stdout_text, "archived segment")) << describe(refused);
  empty_target();
  auto across = restore_to_target({base, "--to-latest"});
  EXPECT_NE(across.exit_code, 0) << describe(across);
  EXPECT_FALSE(target().query_value(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'offsite'"))
      << "the base was loaded although the roll-forward could not be read";
}

}  // namespace
}  // namespace dbkeep::test
