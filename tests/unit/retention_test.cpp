#include "dbkeep/repo/retention.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace dbkeep::repo {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;
using Ids = std::vector<std::string>;
using Reasons = std::vector<std::string>;

sys_seconds utc_time(year_month_day date, hours hour, minutes minute = 0min) {
  return sys_days{date} + hour + minute;
}

// "20261121_020000", the repository's id form, from a UTC time.
std::string id_at(sys_seconds time) {
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  char id[64];
  std::snprintf(id, sizeof id, "%04d%02u%02u_%02ld%02ld%02ld", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long>(clock.hours().count()),
                static_cast<long>(clock.minutes().count()),
                static_cast<long>(clock.seconds().count()));
  return id;
}

BackupRecord backup_at(sys_seconds time) {
  return {id_at(time), time, true, false, std::nullopt};
}

// Every `step` from `first` while before `end`, newest last.
std::vector<BackupRecord> calendar(sys_seconds first, sys_seconds end, seconds step) {
  std::vector<BackupRecord> backups;
  for (auto time = first; time < end; time += step) backups.push_back(backup_at(time));
  return backups;
}

std::vector<RetentionDecision> decide(const std::vector<BackupRecord>& backups,
                                      const RetentionPolicy& policy) {
  auto decisions = decide_retention(backups, policy);
  EXPECT_TRUE(decisions) << decisions.error().message;
  return decisions.value_or(std::vector<RetentionDecision>{});
}

Ids kept_ids(const std::vector<RetentionDecision>& decisions) {
  Ids ids;
  for (const auto& decision : decisions) {
    if (decision.keep) ids.push_back(decision.id);
  }
  return ids;
}

Reasons reasons_for(const std::vector<RetentionDecision>& decisions, const std::string& id) {
  for (const auto& decision : decisions) {
    if (decision.id == id) return decision.reasons;
  }
  ADD_FAILURE() << "no decision for " << id;
  return {};
}

RetentionPolicy policy_with(std::optional<int> RetentionPolicy::*rule, int count) {
  RetentionPolicy policy;
  policy.*rule = count;
  return policy;
}

TEST(RetentionTest, EmptyInputGivesNoDecisions) {
  EXPECT_TRUE(decide({}, policy_with(&RetentionPolicy::keep_last, 7)).empty());
}

TEST(RetentionTest, RefusesAPolicyThatKeepsNothing) {
  auto decisions = decide_retention(std::vector{backup_at(utc_time(2026y / 11 / 1, 2h))}, {});
  ASSERT_FALSE(decisions);
  EXPECT_EQ(decisions.error().kind, ErrorKind::kUsage);
  EXPECT_EQ(decisions.error().message.rfind("retention policy keeps nothing", 0), 0u);
}

TEST(RetentionTest, RefusesDuplicateIds) {
  std::vector backups{backup_at(utc_time(2026y / 11 / 1, 2h)),
                      backup_at(utc_time(2026y / 11 / 2, 2h))};
  backups[1].id = backups[0].id;
  auto decisions = decide_retention(backups, policy_with(&RetentionPolicy::keep_last, 7));
  ASSERT_FALSE(decisions);
  EXPECT_EQ(decisions.error().message, "two backups share the id 20261101_020000");
}

TEST(RetentionTest, KeepLastSevenKeepsExactlyTheSevenNewestCompleteOnes) {
  // Nightly at 02:00 from Nov 1 to Nov 12; the Nov 9 run failed and a run is in progress.
  auto backups = calendar(utc_time(2026y / 11 / 1, 2h), utc_time(2026y / 11 / 13, 0h), 24h);
  backups[8].complete = false;                                                   // Nov 9
  backups.push_back({"20261113_020000", utc_time(2026y / 11 / 13, 2h), false});  // leftover
  std::shuffle(backups.begin(), backups.end(), std::mt19937(7));

  const auto decisions = decide(backups, policy_with(&RetentionPolicy::keep_last, 7));
  EXPECT_EQ(kept_ids(decisions),
            (Ids{"20261112_020000", "20261111_020000", "20261110_020000", "20261108_020000",
                 "20261107_020000", "20261106_020000", "20261105_020000"}));
  ASSERT_EQ(decisions.size(), 13u);
  EXPECT_EQ(decisions[0], (RetentionDecision{"20261113_020000", false, {"incomplete leftover"}}));
  EXPECT_EQ(decisions[1], (RetentionDecision{"20261112_020000", true, {"newest", "last 7"}}));
  EXPECT_EQ(decisions[2], (RetentionDecision{"20261111_020000", true, {"last 7"}}));
  EXPECT_EQ(decisions[4], (RetentionDecision{"20261109_020000", false, {"incomplete leftover"}}));
  EXPECT_EQ(decisions[12], (RetentionDecision{"20261101_020000", false, {}}));
}

TEST(RetentionTest, DecisionsAreNewestFirstAndSameSecondTiesGoById) {
  const auto time = utc_time(2026y / 11 / 20, 2h);
  std::vector<BackupRecord> backups{{"a", time, true}, {"c", time - 1s, true}, {"b", time, true}};
  const auto decisions = decide(backups, policy_with(&RetentionPolicy::keep_last, 1));
  ASSERT_EQ(decisions.size(), 3u);
  EXPECT_EQ(decisions[0], (RetentionDecision{"b", true, {"newest", "last 1"}}));
  EXPECT_EQ(decisions[1].id, "a");
  EXPECT_EQ(decisions[2].id, "c");
}

// One backup every 6 hours for 400 days: 2025-01-01 00:00 .. 2026-02-04 18:00 UTC (1600 backups).
class SixHourlyCalendarTest : public ::testing::Test {
 protected:
  std::vector<BackupRecord> backups =
      calendar(utc_time(2025y / 1 / 1, 0h), utc_time(2025y / 1 / 1, 0h) + days{400}, 6h);
};

TEST_F(SixHourlyCalendarTest, HourlyKeepsTheNewestHoursWithABackup) {
  ASSERT_EQ(backups.size(), 1600u);
  EXPECT_EQ(kept_ids(decide(backups, policy_with(&RetentionPolicy::keep_hourly, 3))),
            (Ids{"20260204_180000", "20260204_120000", "20260204_060000"}));
}

TEST_F(SixHourlyCalendarTest, DailyKeepsTheLastBackupOfEachOfTheNewestDays) {
  const auto decisions = decide(backups, policy_with(&RetentionPolicy::keep_daily, 10));
  EXPECT_EQ(kept_ids(decisions),
            (Ids{"20260204_180000", "20260203_180000", "20260202_180000", "20260201_180000",
                 "20260131_180000", "20260130_180000", "20260129_180000", "20260128_180000",
                 "20260127_180000", "20260126_180000"}));
  EXPECT_EQ(reasons_for(decisions, "20260131_180000"), (Reasons{"daily 2026-01-31"}));
}

TEST_F(SixHourlyCalendarTest, WeeklyUsesIsoWeeksEndingOnSunday) {
  // 2026-02-04 is a Wednesday in 2026-W06; the earlier weeks end on Sundays Feb 1, Jan 25, Jan 18.
  const auto decisions = decide(backups, policy_with(&RetentionPolicy::keep_weekly, 4));
  EXPECT_EQ(kept_ids(decisions),
            (Ids{"20260204_180000", "20260201_180000", "20260125_180000", "20260118_180000"}));
  EXPECT_EQ(reasons_for(decisions, "20260201_180000"), (Reasons{"weekly 2026-W05"}));
  EXPECT_EQ(reasons_for(decisions, "20260118_180000"), (Reasons{"weekly 2026-W03"}));
}

TEST_F(SixHourlyCalendarTest, MonthlyKeepsTheLastBackupOfEachMonth) {
  EXPECT_EQ(kept_ids(decide(backups, policy_with(&RetentionPolicy::keep_monthly, 3))),
            (Ids{"20260204_180000", "20260131_180000", "20251231_180000"}));
}

TEST_F(SixHourlyCalendarTest, YearlyKeepsOnlyTheYearsThatExist) {
  const auto decisions = decide(backups, policy_with(&RetentionPolicy::keep_yearly, 5));
  EXPECT_EQ(kept_ids(decisions), (Ids{"20260204_180000", "20251231_180000"}));
  EXPECT_EQ(reasons_for(decisions, "20251231_180000"), (Reasons{"yearly 2025"}));
}

TEST_F(SixHourlyCalendarTest, RulesCombineAsAUnionListingEveryReason) {
  RetentionPolicy policy;
  policy.keep_daily = 7;     // Jan 29 .. Feb 4
  policy.keep_weekly = 4;    // + Jan 25, Jan 18 (Feb 4 and Feb 1 already daily)
  policy.keep_monthly = 12;  // + Dec 31 .. Mar 31 2025: 10 more
  policy.keep_yearly = 3;    // nothing new: 2026 = Feb 4, 2025 = Dec 31
  const auto decisions = decide(backups, policy);
  EXPECT_EQ(kept_ids(decisions),
            (Ids{"20260204_180000", "20260203_180000", "20260202_180000", "20260201_180000",
                 "20260131_180000", "20260130_180000", "20260129_180000", "20260125_180000",
                 "20260118_180000", "20251231_180000", "20251130_180000", "20251031_180000",
                 "20250930_180000", "20250831_180000", "20250731_180000", "20250630_180000",
                 "20250531_180000", "20250430_180000", "20250331_180000"}));
  EXPECT_EQ(
      reasons_for(decisions, "20260204_180000"),
      (Reasons{"newest", "daily 2026-02-04", "weekly 2026-W06", "monthly 2026-02", "yearly 2026"}));
  EXPECT_EQ(reasons_for(decisions, "20260201_180000"),
            (Reasons{"daily 2026-02-01", "weekly 2026-W05"}));
  EXPECT_EQ(reasons_for(decisions, "20251231_180000"), (Reasons{"monthly 2025-12", "yearly 2025"}));
  EXPECT_EQ(reasons_for(decisions, "20260204_120000"), Reasons{});
}

TEST(RetentionTest, HourlyBackupsForTwoYearsWithEveryBucketRule) {
  // 17520 hourly backups, 2025-01-01 00:00 .. 2026-12-31 23:00 UTC.
  const auto backups = calendar(utc_time(2025y / 1 / 1, 0h), utc_time(2027y / 1 / 1, 0h), 1h);
  RetentionPolicy policy;
  policy.keep_hourly = 24;  // all of Dec 31
  policy.keep_daily = 7;    // + Dec 25 .. 30 at 23:00
  policy.keep_weekly = 4;   // W53 = Dec 31, W52 = Dec 27 (daily); + Dec 20, Dec 13
  policy.keep_monthly = 6;  // + Nov 30, Oct 31, Sep 30, Aug 31, Jul 31
  policy.keep_yearly = 2;   // + 2025-12-31 23:00
  const auto decisions = decide(backups, policy);
  const Ids kept = kept_ids(decisions);
  ASSERT_EQ(kept.size(), 24u + 6 + 2 + 5 + 1);
  EXPECT_EQ(Ids(kept.begin() + 24, kept.end()),
            (Ids{"20261230_230000", "20261229_230000", "20261228_230000", "20261227_230000",
                 "20261226_230000", "20261225_230000", "20261220_230000", "20261213_230000",
                 "20261130_230000", "20261031_230000", "20260930_230000", "20260831_230000",
                 "20260731_230000", "20251231_230000"}));
  EXPECT_EQ(reasons_for(decisions, "20261231_230000"),
            (Reasons{"newest", "hourly 2026-12-31 23:00", "daily 2026-12-31", "weekly 2026-W53",
                     "monthly 2026-12", "yearly 2026"}));
  EXPECT_EQ(reasons_for(decisions, "20261231_000000"), (Reasons{"hourly 2026-12-31 00:00"}));
}

// The example calendar of docs/retention.md, so the documentation cannot drift from the code.
TEST(RetentionTest, TheDocumentedExampleCalendar) {
  const auto backups = calendar(utc_time(2026y / 9 / 1, 2h), utc_time(2026y / 12 / 3, 0h), 24h);
  RetentionPolicy policy;
  policy.keep_last = 3;
  policy.keep_daily = 7;
  policy.keep_weekly = 4;
  policy.keep_monthly = 3;
  const auto decisions = decide(backups, policy);
  EXPECT_EQ(kept_ids(decisions),
            (Ids{"20261202_020000", "20261201_020000", "20261130_020000", "20261129_020000",
                 "20261128_020000", "20261127_020000", "20261126_020000", "20261122_020000",
                 "20261115_020000", "20261031_020000"}));
  EXPECT_EQ(
      reasons_for(decisions, "20261202_020000"),
      (Reasons{"newest", "last 3", "daily 2026-12-02", "weekly 2026-W49", "monthly 2026-12"}));
  EXPECT_EQ(reasons_for(decisions, "20261130_020000"),
            (Reasons{"last 3", "daily 2026-11-30", "monthly 2026-11"}));
  EXPECT_EQ(reasons_for(decisions, "20261129_020000"),
            (Reasons{"daily 2026-11-29", "weekly 2026-W48"}));
  EXPECT_EQ(reasons_for(decisions, "20261115_020000"), (Reasons{"weekly 2026-W46"}));
  EXPECT_EQ(reasons_for(decisions, "20261031_020000"), (Reasons{"monthly 2026-10"}));
}

TEST(IsoWeekTest, LabelsAroundYearBoundaries) {
  auto week_of = [](year_month_day date) {
    return iso_week_label(local_seconds{sys_days{date}.time_since_epoch()} + 12h);
  };
  EXPECT_EQ(week_of(2026y / 1 / 1), "2026-W01");    // Thursday
  EXPECT_EQ(week_of(2025y / 12 / 29), "2026-W01");  // Monday of that week
  EXPECT_EQ(week_of(2026y / 11 / 20), "2026-W47");
  EXPECT_EQ(week_of(2026y / 12 / 31), "2026-W53");  // Thursday
  EXPECT_EQ(week_of(2027y / 1 / 1), "2026-W53");    // Friday, still 2026's last week
  EXPECT_EQ(week_of(2027y / 1 / 3), "2026-W53");    // Sunday
  EXPECT_EQ(week_of(2027y / 1 / 4), "2027-W01");    // Monday
  EXPECT_EQ(week_of(2024y / 12 / 30), "2025-W01");  // Monday, belongs to the next year
  EXPECT_EQ(week_of(2021y / 1 / 3), "2020-W53");
  EXPECT_EQ(week_of(2023y / 1 / 1), "2022-W52");
}

TEST(RetentionTest, WeeklyAndYearlyBucketsDifferAcrossTheNewYear) {
  std::vector backups{
      backup_at(utc_time(2026y / 12 / 28, 2h)), backup_at(utc_time(2027y / 1 / 1, 2h)),
      backup_at(utc_time(2027y / 1 / 3, 2h)), backup_at(utc_time(2027y / 1 / 4, 2h))};
  RetentionPolicy policy;
  policy.keep_weekly = 2;
  policy.keep_yearly = 2;
  const auto decisions = decide(backups, policy);
  EXPECT_EQ(kept_ids(decisions), (Ids{"20270104_020000", "20270103_020000", "20261228_020000"}));
  EXPECT_EQ(reasons_for(decisions, "20270103_020000"), (Reasons{"weekly 2026-W53"}));
  EXPECT_EQ(reasons_for(decisions, "20261228_020000"), (Reasons{"yearly 2026"}));
  EXPECT_EQ(reasons_for(decisions, "20270101_020000"), Reasons{});
}

TEST(RetentionTest, TimeZoneMovesALateBackupIntoTheNextDay) {
  // 23:30 UTC on Nov 20 is 00:30 on Nov 21 in Berlin (UTC+1 in winter).
  std::vector backups{backup_at(utc_time(2026y / 11 / 20, 12h)),
                      backup_at(utc_time(2026y / 11 / 20, 23h, 30min))};
  RetentionPolicy policy = policy_with(&RetentionPolicy::keep_daily, 2);
  auto in_utc = decide(backups, policy);
  EXPECT_EQ(kept_ids(in_utc), (Ids{"20261120_233000"}));
  EXPECT_EQ(reasons_for(in_utc, "20261120_233000"), (Reasons{"newest", "daily 2026-11-20"}));

  policy.time_zone = "Europe/Berlin";
  auto in_berlin = decide(backups, policy);
  EXPECT_EQ(kept_ids(in_berlin), (Ids{"20261120_233000", "20261120_120000"}));
  EXPECT_EQ(reasons_for(in_berlin, "20261120_233000"), (Reasons{"newest", "daily 2026-11-21"}));
  EXPECT_EQ(reasons_for(in_berlin, "20261120_120000"), (Reasons{"daily 2026-11-20"}));
}

TEST(RetentionTest, RepeatedHourAtTheEndOfDaylightSavingIsOneBucket) {
  // Berlin, 2026-10-25: 01:00 UTC is 03:00 CEST turned back to 02:00 CET, so 00:00-02:00 UTC are
  // both local 02:xx. Backups at 23:00, 00:00, 00:30, 01:00, 01:30 UTC.
  const auto backups =
      calendar(utc_time(2026y / 10 / 24, 23h), utc_time(2026y / 10 / 25, 2h), 30min);
  ASSERT_EQ(backups.size(), 6u);  // the extra 23:30 lands in local 01:00 too
  RetentionPolicy policy = policy_with(&RetentionPolicy::keep_hourly, 2);
  policy.time_zone = "Europe/Berlin";
  const auto decisions = decide(backups, policy);
  EXPECT_EQ(kept_ids(decisions), (Ids{"20261025_013000", "20261024_233000"}));
  EXPECT_EQ(reasons_for(decisions, "20261025_013000"),
            (Reasons{"newest", "hourly 2026-10-25 02:00"}));
  EXPECT_EQ(reasons_for(decisions, "20261024_233000"), (Reasons{"hourly 2026-10-25 01:00"}));
}

TEST(RetentionTest, KeepWithinCountsBackFromTheNewestBackupNotFromNow) {
  // Nightly backups in March 2020, long before any clock this test runs on.
  const auto backups = calendar(utc_time(2020y / 2 / 1, 2h), utc_time(2020y / 4 / 1, 0h), 24h);
  RetentionPolicy policy;
  policy.keep_within = parse_duration("14d").value();
  const auto decisions = decide(backups, policy);
  const Ids kept = kept_ids(decisions);
  ASSERT_EQ(kept.size(), 15u);  // Mar 17 02:00 .. Mar 31 02:00, the start is inclusive
  EXPECT_EQ(kept.front(), "20200331_020000");
  EXPECT_EQ(kept.back(), "20200317_020000");
  EXPECT_EQ(reasons_for(decisions, "20200317_020000"), (Reasons{"within 14d"}));

  policy.keep_within = parse_duration("1m").value();  // back to 2020-02-29 02:00 (leap year)
  const Ids month = kept_ids(decide(backups, policy));
  ASSERT_EQ(month.size(), 32u);
  EXPECT_EQ(month.back(), "20200229_020000");
}

TEST(RetentionTest, AFutureDatedBackupIsSimplyTheNewest) {
  auto backups = calendar(utc_time(2026y / 11 / 1, 2h), utc_time(2026y / 11 / 5, 0h), 24h);
  backups.push_back(backup_at(utc_time(2099y / 1 / 1, 2h)));
  RetentionPolicy policy = policy_with(&RetentionPolicy::keep_last, 2);
  EXPECT_EQ(kept_ids(decide(backups, policy)), (Ids{"20990101_020000", "20261104_020000"}));
}

TEST(RetentionTest, PinnedBackupsAreAlwaysKept) {
  auto backups = calendar(utc_time(2026y / 11 / 1, 2h), utc_time(2026y / 11 / 6, 0h), 24h);
  backups[0].pinned = true;  // Nov 1
  backups.push_back(
      {"20261031_020000", utc_time(2026y / 10 / 31, 2h), false, true});  // no manifest
  const auto decisions = decide(backups, policy_with(&RetentionPolicy::keep_last, 2));
  EXPECT_EQ(kept_ids(decisions), (Ids{"20261105_020000", "20261104_020000", "20261101_020000"}));
  EXPECT_EQ(reasons_for(decisions, "20261101_020000"), (Reasons{"pinned"}));
  EXPECT_EQ(reasons_for(decisions, "20261031_020000"), (Reasons{"incomplete leftover"}));
}

TEST(RetentionTest, TheNewestCompleteBackupIsMarkedNewestEvenBehindALeftover) {
  std::vector backups{backup_at(utc_time(2026y / 11 / 1, 2h)),
                      {"20261102_020000", utc_time(2026y / 11 / 2, 2h), false}};
  RetentionPolicy policy = policy_with(&RetentionPolicy::keep_yearly, 1);
  const auto decisions = decide(backups, policy);
  EXPECT_EQ(kept_ids(decisions), (Ids{"20261101_020000"}));
  EXPECT_EQ(reasons_for(decisions, "20261101_020000"), (Reasons{"newest", "yearly 2026"}));
}

TEST(RetentionTest, KeptIncrementalsKeepTheirBasesTransitively) {
  // full Nov 1 <- incremental Nov 2 <- incremental Nov 3; a new full on Nov 4.
  auto backups = calendar(utc_time(2026y / 11 / 1, 2h), utc_time(2026y / 11 / 5, 0h), 24h);
  backups[1].depends_on = "20261101_020000";
  backups[2].depends_on = "20261102_020000";

  EXPECT_EQ(kept_ids(decide(backups, policy_with(&RetentionPolicy::keep_last, 1))),
            (Ids{"20261104_020000"}));

  const auto decisions = decide(backups, policy_with(&RetentionPolicy::keep_last, 2));
  EXPECT_EQ(kept_ids(decisions),
            (Ids{"20261104_020000", "20261103_020000", "20261102_020000", "20261101_020000"}));
  EXPECT_EQ(reasons_for(decisions, "20261102_020000"), (Reasons{"needed by 20261103_020000"}));
  EXPECT_EQ(reasons_for(decisions, "20261101_020000"), (Reasons{"needed by 20261102_020000"}));
}

TEST(RetentionTest, ABaseKeptByARuleAlsoSaysWhoNeedsIt) {
  auto backups = calendar(utc_time(2026y / 11 / 1, 2h), utc_time(2026y / 11 / 3, 0h), 24h);
  backups[1].depends_on = "20261101_020000";
  const auto decisions = decide(backups, policy_with(&RetentionPolicy::keep_daily, 2));
  EXPECT_EQ(reasons_for(decisions, "20261101_020000"),
            (Reasons{"daily 2026-11-01", "needed by 20261102_020000"}));
}

TEST(RetentionTest, BrokenChainsNeitherCrashNorKeepIncompleteBases) {
  std::vector backups{
      backup_at(utc_time(2026y / 11 / 1, 2h)), backup_at(utc_time(2026y / 11 / 2, 2h)),
      backup_at(utc_time(2026y / 11 / 3, 2h)), backup_at(utc_time(2026y / 11 / 4, 2h))};
  backups[3].depends_on = "20261103_020000";  // Nov 4 <- Nov 3, whose manifest is missing
  backups[2].complete = false;
  backups[1].depends_on = "20261101_020000";  // a cycle: Nov 1 <-> Nov 2
  backups[0].depends_on = "20261102_020000";
  backups[1].pinned = true;
  const auto decisions = decide(backups, policy_with(&RetentionPolicy::keep_last, 1));
  EXPECT_EQ(kept_ids(decisions), (Ids{"20261104_020000", "20261102_020000", "20261101_020000"}));
  EXPECT_EQ(reasons_for(decisions, "20261103_020000"), (Reasons{"incomplete leftover"}));
  EXPECT_EQ(reasons_for(decisions, "20261102_020000"),
            (Reasons{"pinned", "needed by 20261101_020000"}));
}

}  // namespace
}  // namespace dbkeep::repo
