#include "dbkeep/repo/retention_policy.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dbkeep::repo {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

RetentionDuration duration(int years, int months, int weeks, int days, int hours,
                           std::string text) {
  return {years, months, weeks, days, hours, std::move(text)};
}

TEST(ParseDurationTest, AcceptsEachUnitAndCombinations) {
  EXPECT_EQ(parse_duration("14d").value(), duration(0, 0, 0, 14, 0, "14d"));
  EXPECT_EQ(parse_duration("36h").value(), duration(0, 0, 0, 0, 36, "36h"));
  EXPECT_EQ(parse_duration("2w").value(), duration(0, 0, 2, 0, 0, "2w"));
  EXPECT_EQ(parse_duration("6m").value(), duration(0, 6, 0, 0, 0, "6m"));
  EXPECT_EQ(parse_duration("1y").value(), duration(1, 0, 0, 0, 0, "1y"));
  EXPECT_EQ(parse_duration("1y6m").value(), duration(1, 6, 0, 0, 0, "1y6m"));
  EXPECT_EQ(parse_duration("3d12h").value(), duration(0, 0, 0, 3, 12, "3d12h"));
  EXPECT_EQ(parse_duration("0y1d").value(), duration(0, 0, 0, 1, 0, "0y1d"));
}

TEST(ParseDurationTest, RefusesBadInputWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "it is empty"},
      {"14", "the number 14 has no unit"},
      {"d", "expected a number at 'd'"},
      {"-3d", "expected a number at '-3d'"},
      {" 3d", "expected a number at ' 3d'"},
      {"3 d", "unknown unit ' '"},
      {"14D", "unknown unit 'D'"},
      {"5s", "unknown unit 's'"},
      {"1d2d", "unit 'd' appears twice"},
      {"0d", "it must be longer than zero"},
      {"0y0m", "it must be longer than zero"},
      {"1001y", "it is longer than 1000 years"},
      {"99999999999d", "the number is too large"},
  };
  for (const auto& [text, why] : cases) {
    auto parsed = parse_duration(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kUsage) << text;
    const std::string expected_start = "invalid duration \"" + std::string(text) + "\": " + why;
    EXPECT_EQ(parsed.error().message.substr(0, expected_start.size()), expected_start);
  }
}

sys_seconds utc(year_month_day date, hours hour) {
  return sys_days{date} + hour;
}

TEST(WindowStartTest, FixedUnitsAreExactSpans) {
  const auto newest = utc(2026y / 11 / 21, 2h);
  EXPECT_EQ(window_start(newest, parse_duration("14d").value()), utc(2026y / 11 / 7, 2h));
  EXPECT_EQ(window_start(newest, parse_duration("2w").value()), utc(2026y / 11 / 7, 2h));
  EXPECT_EQ(window_start(newest, parse_duration("36h").value()), utc(2026y / 11 / 19, 14h));
  EXPECT_EQ(window_start(newest, parse_duration("3d12h").value()), utc(2026y / 11 / 17, 14h));
}

TEST(WindowStartTest, MonthsAndYearsFollowTheCalendar) {
  EXPECT_EQ(window_start(utc(2026y / 11 / 21, 2h), parse_duration("1m").value()),
            utc(2026y / 10 / 21, 2h));
  // Clamped to the end of a shorter month, leap years included.
  EXPECT_EQ(window_start(utc(2026y / 3 / 31, 2h), parse_duration("1m").value()),
            utc(2026y / 2 / 28, 2h));
  EXPECT_EQ(window_start(utc(2024y / 3 / 31, 2h), parse_duration("1m").value()),
            utc(2024y / 2 / 29, 2h));
  EXPECT_EQ(window_start(utc(2024y / 2 / 29, 2h), parse_duration("1y").value()),
            utc(2023y / 2 / 28, 2h));
  // Across the year boundary, months before days.
  EXPECT_EQ(window_start(utc(2027y / 1 / 15, 2h), parse_duration("1y6m").value()),
            utc(2025y / 7 / 15, 2h));
  EXPECT_EQ(window_start(utc(2026y / 3 / 31, 2h), parse_duration("1m1d").value()),
            utc(2026y / 2 / 27, 2h));
}

TEST(ValidatePolicyTest, RefusesAPolicyThatKeepsNothing) {
  auto result = validate(RetentionPolicy{});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kUsage);
  EXPECT_EQ(result.error().message.rfind("retention policy keeps nothing", 0), 0u);
}

TEST(ValidatePolicyTest, AcceptsAnySingleRule) {
  RetentionPolicy last;
  last.keep_last = 7;
  EXPECT_TRUE(validate(last));
  RetentionPolicy yearly;
  yearly.keep_yearly = 1;
  EXPECT_TRUE(validate(yearly));
  RetentionPolicy within;
  within.keep_within = parse_duration("7d").value();
  EXPECT_TRUE(validate(within));
}

TEST(ValidatePolicyTest, RefusesCountsBelowOne) {
  RetentionPolicy policy;
  policy.keep_last = 7;
  policy.keep_daily = 0;
  auto result = validate(policy);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message.rfind("keep_daily must be at least 1, got 0", 0), 0u);
  policy.keep_daily = -2;
  EXPECT_FALSE(validate(policy));
}

// g++ 12 at -O2 sees the std::string inside an empty std::optional as "maybe uninitialized"
// when the optional is first engaged here (a known false positive of that release; it shows in
// unity builds, where more gets inlined).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
TEST(ValidatePolicyTest, RefusesAZeroOrNegativeWithinBuiltByHand) {
  RetentionPolicy policy;
  policy.keep_within = RetentionDuration{};
  EXPECT_FALSE(validate(policy));
  policy.keep_within = duration(1, -1, 0, 0, 0, "1y-1m");
  EXPECT_FALSE(validate(policy));
}
#pragma GCC diagnostic pop

TEST(ValidatePolicyTest, RefusesAnUnknownTimeZone) {
  RetentionPolicy policy;
  policy.keep_daily = 7;
  policy.time_zone = "Mars/Olympus_Mons";
  auto result = validate(policy);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kUsage);
  EXPECT_NE(result.error().message.find("unknown time zone \"Mars/Olympus_Mons\""),
            std::string::npos);
}

}  // namespace
}  // namespace dbkeep::repo
