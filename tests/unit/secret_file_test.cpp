// core::read_secret_file: the one rule for every secret file (private regular file, one line,
// not empty), and every caller holding to it.

#include "dbkeep/core/secret_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "dbkeep/core/config.hpp"
#include "dbkeep/crypto/credentials.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::core {
namespace {

namespace fs = std::filesystem;

class SecretFileTest : public ::testing::Test {
 protected:
  fs::path write(const std::string& content, mode_t mode = 0600) {
    fs::path file = dir_.path() / ("secret" + std::to_string(++count_));
    std::ofstream(file) << content;
    ::chmod(file.c_str(), mode);
    return file;
  }
  std::string error_of(const fs::path& file, SecretForm form = SecretForm::kLine) {
    auto secret = read_secret_file(file, "--password-file", form);
    EXPECT_FALSE(secret) << "read although it should not: " << file;
    if (secret) return "";
    EXPECT_EQ(secret.error().kind, ErrorKind::kUsage);
    return secret.error().message;
  }

  TempDir dir_ = test::make_temp_dir();
  int count_ = 0;
};

TEST_F(SecretFileTest, OneTrailingNewlineIsDropped) {
  EXPECT_EQ(read_secret_file(write("s3cret\n"), "x").value_or(""), "s3cret");
  EXPECT_EQ(read_secret_file(write("s3cret\r\n"), "x").value_or(""), "s3cret");
  EXPECT_EQ(read_secret_file(write("s3cret"), "x").value_or(""), "s3cret");
  EXPECT_EQ(read_secret_file(write(" spaced \n"), "x").value_or(""), " spaced ");
  EXPECT_EQ(read_secret_file(write("key\n"), "x", SecretForm::kBytes).value_or(""), "key\n");
}

TEST_F(SecretFileTest, FilesOthersCanReadAreRefusedWithTheFix) {
  for (mode_t mode : {0644, 0640, 0604, 0440}) {
    auto file = write("s3cret\n", mode);
    auto message = error_of(file);
    EXPECT_NE(message.find("--password-file " + file.string()), std::string::npos) << message;
    EXPECT_NE(message.find("world-readable"), std::string::npos) << message;
    EXPECT_NE(message.find("run chmod 600 " + file.string()), std::string::npos) << message;
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  }
  EXPECT_TRUE(read_secret_file(write("s3cret\n", 0400), "x"));
}

TEST_F(SecretFileTest, EmptyMultiLineMissingAndNonRegularFilesAreRefused) {
  EXPECT_NE(error_of(write("")).find("is empty"), std::string::npos);
  EXPECT_NE(error_of(write("\n")).find("is empty"), std::string::npos);
  EXPECT_NE(error_of(write("")).find("is empty"), std::string::npos);
  auto two_lines = error_of(write("s3cret\nmore\n"));
  EXPECT_NE(two_lines.find("more than one line"), std::string::npos) << two_lines;
  EXPECT_EQ(two_lines.find("s3cret"), std::string::npos) << two_lines;
  EXPECT_NE(error_of(dir_.path() / "missing").find("cannot read it"), std::string::npos);
  fs::path fifo = dir_.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(error_of(fifo).find("not a regular file"), std::string::npos);
  fs::path directory = dir_.path() / "directory";
  fs::create_directory(directory);
  ::chmod(directory.c_str(), 0700);
  EXPECT_NE(error_of(directory).find("not a regular file"), std::string::npos);
}

// Before there was one reader, a group-readable password_file or key file was accepted.
TEST_F(SecretFileTest, ConfigPasswordFileAndKeyFileFollowTheRule) {
  auto password = write("pw\n", 0640);
  auto config = parse_config(
      "[repository]\npath=\"/x\"\n[[set]]\nname=\"db\"\nsource=\"mysql\"\n"
      "method=\"logical\"\n[set.mysql]\npassword_file=\"" +
          password.string() + "\"\n",
      "dbkeep.toml", {});
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("dbkeep.toml:8: [set 'db'.mysql] password_file " +
                                        password.string() + " is group- or world-readable"),
            std::string::npos)
      << config.error().message;
  auto key = write(std::string(64, 'a') + "\n", 0640);
  auto credential = crypto::key_file_credential(key, false);
  ASSERT_FALSE(credential);
  EXPECT_NE(credential.error().message.find("run chmod 600"), std::string::npos)
      << credential.error().message;
}

}  // namespace
}  // namespace dbkeep::core
