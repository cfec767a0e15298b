// core::FileOwner: [set.restore] owner as a name or as numbers (the official images' 999:999),
// parsed once, resolved against this machine's accounts only when a restore runs.

#include "dbkeep/core/file_owner.hpp"

#include <gtest/gtest.h>

namespace dbkeep::core {
namespace {

TEST(FileOwnerTest, AcceptsNamesNumbersAndPairs) {
  for (const char* text : {"mysql", "999", "999:999", "mysql:adm", "_svc", "build-bot.1", "0:0"}) {
    auto owner = FileOwner::parse(text);
    ASSERT_TRUE(owner) << text << ": " << owner.error().message;
    EXPECT_EQ(owner->text(), text);
  }
  auto pair = FileOwner::parse("999:998");
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->user, "999");
  EXPECT_EQ(pair->group, "998");
}

TEST(FileOwnerTest, RefusesWhatIsNeitherANameNorANumber) {
  for (const char* text :
       {"", ":", "999:", ":999", "my sql", "-mysql", "9a", "1:2:3", "4294967295", "99999999999"}) {
    auto owner = FileOwner::parse(text);
    ASSERT_FALSE(owner) << "accepted \"" << text << "\"";
    EXPECT_EQ(owner.error().kind, ErrorKind::kUsage);
    EXPECT_NE(owner.error().message.find("uid:gid"), std::string::npos) << owner.error().message;
  }
}

TEST(FileOwnerTest, ANameResolvesToItsAccountAndPrimaryGroup) {
  auto resolved = resolve_owner(*FileOwner::parse("root"));
  ASSERT_TRUE(resolved) << resolved.error().message;
  EXPECT_EQ(resolved->uid, 0U);
  EXPECT_EQ(resolved->gid, 0U);
  EXPECT_EQ(resolved->account, "root");
  EXPECT_EQ(server_user(*FileOwner::parse("0")).value_or(""), "root");
}

// 64999 has no account on a test machine (nor on a stock Debian): the numbers are used as they
// are, the gid defaulting to the uid, as the images' files are.
TEST(FileOwnerTest, NumbersWithoutAnAccountResolveAsWritten) {
  auto alone = resolve_owner(*FileOwner::parse("64999"));
  ASSERT_TRUE(alone) << alone.error().message;
  EXPECT_EQ(alone->uid, 64999U);
  EXPECT_EQ(alone->gid, 64999U);
  EXPECT_FALSE(alone->account);

  auto pair = resolve_owner(*FileOwner::parse("64999:0"));
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->gid, 0U);

  auto user = server_user(*FileOwner::parse("64999:64999"));
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().kind, ErrorKind::kUsage);
  EXPECT_NE(user.error().message.find("uid 64999 has no account"), std::string::npos)
      << user.error().message;
}

TEST(FileOwnerTest, UnknownNamesAreUsageErrorsNamingTheKey) {
  auto user = resolve_owner(*FileOwner::parse("no-such-user-here"));
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().kind, ErrorKind::kUsage);
  EXPECT_NE(user.error().message.find("[set.restore] owner"), std::string::npos);
  auto group = resolve_owner(*FileOwner::parse("root:no-such-group-here"));
  ASSERT_FALSE(group);
  EXPECT_NE(group.error().message.find("no-such-group-here"), std::string::npos);
}

}  // namespace
}  // namespace dbkeep::core
