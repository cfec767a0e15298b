// [set.retention] in the configuration: the default when the table is absent, and refusals of
// policies that keep nothing or cannot be read, each naming file and line.

#include <gtest/gtest.h>

#include "dbkeep/core/config.hpp"

namespace dbkeep::core {
namespace {

constexpr const char* kBase = R"([repository]
path = "/x"
[[set]]
name = "s"
source = "sqlite"
[set.sqlite]
path = "/a.db"
)";

Result<Config> parse_retention(const std::string& retention, const Environment& env = {}) {
  return parse_config(kBase + retention, "dbkeep.toml", env);
}

void expect_error(const std::string& retention, std::initializer_list<std::string_view> fragments) {
  auto config = parse_retention(retention);
  ASSERT_FALSE(config) << "parsed although it should not:\n" << retention;
  EXPECT_EQ(config.error().kind, ErrorKind::kUsage);
  for (auto fragment : fragments) {
    EXPECT_NE(config.error().message.find(fragment), std::string::npos)
        << "message: " << config.error().message << "\nmissing: " << fragment;
  }
}

TEST(RetentionConfigTest, WithoutATableTheDefaultKeepsTheSevenNewest) {
  auto config = parse_retention("");
  ASSERT_TRUE(config) << config.error().message;
  const auto& retention = config->sets[0].retention;
  EXPECT_EQ(retention.keep_last, kDefaultKeepLast);
  EXPECT_EQ(kDefaultKeepLast, 7);
  EXPECT_FALSE(retention.keep_daily);
  EXPECT_TRUE(retention.prune_after_backup);
  EXPECT_EQ(retention.time_zone, "UTC");
}

TEST(RetentionConfigTest, AnExplicitRuleReplacesTheDefault) {
  auto config = parse_retention("[set.retention]\nkeep_daily = 3\nprune_after_backup = false\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->sets[0].retention.keep_last);
  EXPECT_EQ(config->sets[0].retention.keep_daily, 3);
  EXPECT_FALSE(config->sets[0].retention.prune_after_backup);
}

TEST(RetentionConfigTest, EnvironmentAloneCanStateThePolicy) {
  auto config = parse_retention("", {{"DBKEEP_SET_S_RETENTION_KEEP_WITHIN", "14d"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->sets[0].retention.keep_last);
  EXPECT_EQ(config->sets[0].retention.keep_within, "14d");
}

TEST(RetentionConfigTest, ATableWithoutAnyKeepRuleIsRefused) {
  expect_error("[set.retention]\nprune_after_backup = false\n",
               {"dbkeep.toml:8", "keeps nothing", "keep_last = 7"});
  expect_error("[set.retention]\ntime_zone = \"Europe/Berlin\"\n", {"keeps nothing"});
}

TEST(RetentionConfigTest, CountsBelowOneAreRefused) {
  expect_error("[set.retention]\nkeep_last = 0\n", {"dbkeep.toml:9", "keep_last"});
  expect_error("[set.retention]\nkeep_daily = -2\n", {"keep_daily"});
}

TEST(RetentionConfigTest, BadKeepWithinNamesTheLineAndTheProblem) {
  expect_error("[set.retention]\nkeep_last = 3\nkeep_within = \"14x\"\n",
               {"dbkeep.toml:10", "keep_within", "unknown unit 'x'"});
  expect_error("[set.retention]\nkeep_within = \"0d\"\n", {"longer than zero"});
}

TEST(RetentionConfigTest, UnknownTimeZoneIsRefused) {
  expect_error("[set.retention]\nkeep_daily = 7\ntime_zone = \"Mars/Olympus\"\n",
               {"dbkeep.toml:10", "time_zone", "Mars/Olympus"});
}

}  // namespace
}  // namespace dbkeep::core
