#include <gtest/gtest.h>

#include <fstream>

#include "dbkeep/source/mysql/option_file.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::source::mysql {
namespace {

class OptionFileTest : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& text) {
    std::ofstream(path_) << text;
    return path_;
  }
  core::TempDir dir_ = test::make_temp_dir();
  std::filesystem::path path_ = dir_.path() / "my.cnf";
};

TEST_F(OptionFileTest, ReadsClientGroupWithQuotesAndComments) {
  auto values = read_client_option_file(write("# comment\n[mysqld]\nuser=mysql\n"
                                              "[client]\nuser = backup  # trailing\n"
                                              "password='p#w d'\nsocket=/run/x.sock\n"
                                              "port = 3307\nskip-ssl\n"),
                                        {"client"});
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_EQ(values->user, "backup");
  EXPECT_EQ(values->password, "p#w d");
  EXPECT_EQ(values->socket, "/run/x.sock");
  EXPECT_EQ(values->port, 3307u);
  EXPECT_EQ(values->host, std::nullopt);
}

TEST_F(OptionFileTest, LaterGroupsOverrideEarlierOnes) {
  auto values = read_client_option_file(
      write("[dbkeep]\nuser=special\n[client]\nuser=generic\npassword=\"a\\\"b\"\n"),
      {"client", "dbkeep"});
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_EQ(values->user, "special");
  EXPECT_EQ(values->password, "a\"b");
}

TEST_F(OptionFileTest, ErrorsNameFileAndLine) {
  auto bad_port = read_client_option_file(write("[client]\n\nport=abc\n"), {"client"});
  ASSERT_FALSE(bad_port);
  EXPECT_EQ(bad_port.error().message,
            path_.string() + ":3: port must be a number from 1 to 65535, got 'abc'");
  auto include = read_client_option_file(write("!includedir /etc/mysql/conf.d/\n"), {"client"});
  ASSERT_FALSE(include);
  EXPECT_NE(include.error().message.find(":1: '!includedir' is not supported"), std::string::npos);
  auto quote = read_client_option_file(write("[client]\npassword=\"open\n"), {"client"});
  ASSERT_FALSE(quote);
  EXPECT_NE(quote.error().message.find("unclosed quote"), std::string::npos);
}

TEST(OptionFile, MissingFileIsAnError) {
  auto values = read_client_option_file("/nonexistent/.my.cnf", {"client"});
  ASSERT_FALSE(values);
  EXPECT_NE(values.error().message.find("cannot read MySQL option file /nonexistent/.my.cnf"),
            std::string::npos);
}

}  // namespace
}  // namespace dbkeep::source::mysql
