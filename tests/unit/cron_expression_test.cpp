#include "dbkeep/ops/cron_expression.hpp"

#include <gtest/gtest.h>

#include "dbkeep/core/time_format.hpp"

namespace dbkeep::ops {
namespace {

std::chrono::sys_seconds at(const std::string& iso) {
  auto time = core::parse_iso_utc(iso);
  EXPECT_TRUE(time) << iso;
  return time.value_or(std::chrono::sys_seconds{});
}

std::string next(const std::string& expression, const std::string& after) {
  auto cron = CronExpression::parse(expression);
  if (!cron) return "error: " + cron.error().message;
  auto time = cron->next_after(at(after));
  return time ? core::format_iso_utc(*time) : "never";
}

struct NextCase {
  const char* expression;
  const char* after;
  const char* expected;
};

TEST(CronExpressionTest, NextRunTable) {
  const NextCase cases[] = {
      {"0 2 * * *", "2026-11-22T01:59:59Z", "2026-11-22T02:00:00Z"},
      {"0 2 * * *", "2026-11-22T02:00:00Z", "2026-11-23T02:00:00Z"},  // strictly after
      {"* * * * *", "2026-11-22T10:00:30Z", "2026-11-22T10:01:00Z"},
      {"*/15 * * * *", "2026-01-31T23:50:00Z", "2026-02-01T00:00:00Z"},
      {"0 0 1 * *", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z"},
      {"30 4 31 * *", "2026-04-01T00:00:00Z", "2026-05-31T04:30:00Z"},  // April has 30 days
      {"0 12 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T12:00:00Z"},  // next leap day
      {"59 23 31 12 *", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"},
      {"0 0 * * mon-fri", "2026-11-20T00:00:00Z", "2026-11-23T00:00:00Z"},  // Fri → Mon
      {"0 0 * * 7", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"},        // 7 is Sunday
      {"0 0 * * 0", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"},
      {"0 0 13 * fri", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"},   // OR: a Friday
      {"0 0 13 * fri", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z"},   // OR: the 13th
      {"0 0 */2 * fri", "2026-01-01T00:00:00Z", "2026-01-09T00:00:00Z"},  // '*' start: AND
      {"0 9-17/2 * * *", "2026-05-05T11:00:00Z", "2026-05-05T13:00:00Z"},
      {"0 9-17/2 * * *", "2026-05-05T17:00:00Z", "2026-05-06T09:00:00Z"},
      {"5,10-12 * * * *", "2026-05-05T11:05:00Z", "2026-05-05T11:10:00Z"},
      {"5,10-12 * * * *", "2026-05-05T11:12:00Z", "2026-05-05T12:05:00Z"},
      {"0 0 1 jan,JUL *", "2026-02-01T00:00:00Z", "2026-07-01T00:00:00Z"},
      {"0 6 * dec sun", "2026-11-30T00:00:00Z", "2026-12-06T06:00:00Z"},
      {"@hourly", "2026-05-05T11:30:00Z", "2026-05-05T12:00:00Z"},
      {"@daily", "2026-05-05T11:30:00Z", "2026-05-06T00:00:00Z"},
      {"@weekly", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"},
      {"@monthly", "2026-12-15T00:00:00Z", "2027-01-01T00:00:00Z"},
      {"@yearly", "2026-12-15T00:00:00Z", "2027-01-01T00:00:00Z"},
      {"  0   2  *  *  *  ", "2026-11-22T01:00:00Z", "2026-11-22T02:00:00Z"},
      // Found by tests/fuzz/fuzz_cron: runs more than eight years apart were "never".
      {"15 0 1 1 */7", "2024-01-02T00:00:00Z", "2034-01-01T00:15:00Z"},  // Jan 1 AND Sunday
      {"0 0 29 2 */7", "2004-03-01T00:00:00Z", "2032-02-29T00:00:00Z"},  // Feb 29, a Sunday
  };
  for (const auto& c : cases) {
    EXPECT_EQ(next(c.expression, c.after), c.expected) << c.expression << " after " << c.after;
  }
}

TEST(CronExpressionTest, RejectsInvalidExpressionsNamingTheProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "has 0 fields"},
      {"* * * *", "has 4 fields"},
      {"0 0 * * * *", "has 6 fields"},
      {"60 * * * *", "minute field: value 60 is outside 0-59"},
      {"* 24 * * *", "hour field: value 24 is outside 0-23"},
      {"0 0 0 * *", "day of month field: value 0 is outside 1-31"},
      {"0 0 * 13 *", "month field: value 13 is outside 1-12"},
      {"0 0 * * 8", "day of week field: value 8 is outside 0-7"},
      {"*/0 * * * *", "step must be at least 1"},
      {"5-1 * * * *", "range 5-1 runs backwards"},
      {"0 0 * foo *", "unknown name 'foo'"},
      {"a * * * *", "value 'a' is not a number"},
      {"1,,2 * * * *", "empty list element"},
      {"5/10 * * * *", "a step needs a range or '*'"},
      {"0 0 30 2 *", "never matches a real date"},
      {"@reboot", "unknown macro @reboot"},
      {"0 0 * * mon-", "is not a number or a name"},
  };
  for (const auto& [expression, message] : cases) {
    auto cron = CronExpression::parse(expression);
    ASSERT_FALSE(cron) << expression;
    EXPECT_EQ(cron.error().kind, ErrorKind::kUsage);
    EXPECT_NE(cron.error().message.find(message), std::string::npos)
        << expression << ": " << cron.error().message;
  }
}

TEST(CronExpressionTest, WallClockTimeAcrossDaylightSavingChanges) {
  auto berlin = core::TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(berlin) << berlin.error().message;
  auto cron = CronExpression::parse("30 2 * * *");
  ASSERT_TRUE(cron);
  auto next = [&](const char* after) {
    return core::format_iso_utc(*cron->next_after(at(after), *berlin));
  };
  // Winter (CET, UTC+1): 02:30 local is 01:30 UTC.
  EXPECT_EQ(next("2026-03-27T12:00:00Z"), "2026-03-28T01:30:00Z");
  // 2026-03-29: clocks jump 02:00 → 03:00, so 02:30 does not exist that day.
  EXPECT_EQ(next("2026-03-28T01:30:00Z"), "2026-03-30T00:30:00Z");
  // 2026-10-25: 03:00 → 02:00, so 02:30 happens twice (CEST, then CET).
  EXPECT_EQ(next("2026-10-24T12:00:00Z"), "2026-10-25T00:30:00Z");
  EXPECT_EQ(next("2026-10-25T00:30:00Z"), "2026-10-25T01:30:00Z");
  EXPECT_EQ(next("2026-10-25T01:30:00Z"), "2026-10-26T01:30:00Z");

  // A midnight schedule on the day clocks go forward still runs at local midnight.
  auto midnight = CronExpression::parse("0 0 * * *");
  ASSERT_TRUE(midnight);
  EXPECT_EQ(core::format_iso_utc(*midnight->next_after(at("2026-03-28T12:00:00Z"), *berlin)),
            "2026-03-28T23:00:00Z");
  EXPECT_EQ(core::format_iso_utc(*midnight->next_after(at("2026-03-28T23:00:00Z"), *berlin)),
            "2026-03-29T22:00:00Z");
}

TEST(CronExpressionTest, MatchesAgreesWithNextAfter) {
  auto cron = CronExpression::parse("*/7 1-3 1,15 * mon");
  ASSERT_TRUE(cron);
  auto time = at("2026-01-01T00:00:00Z");
  for (int i = 0; i < 50; ++i) {
    auto following = cron->next_after(time);
    ASSERT_TRUE(following);
    EXPECT_TRUE(cron->matches(std::chrono::local_seconds(following->time_since_epoch())));
    // No minute in between matches.
    for (auto probe = time + std::chrono::minutes(1); probe < *following;
         probe += std::chrono::minutes(1)) {
      ASSERT_FALSE(cron->matches(std::chrono::local_seconds(probe.time_since_epoch())))
          << core::format_iso_utc(probe);
    }
    time = *following;
  }
}

}  // namespace
}  // namespace dbkeep::ops
