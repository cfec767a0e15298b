#pragma once
// What a backup set's [set.retention] table asks to keep. The rules are explained in
// docs/retention.md; the engine that applies them is repo/retention.hpp.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "dbkeep/core/error.hpp"

namespace dbkeep::repo {

// A keep_within span such as "14d" or "1y6m". Units: h (hours), d (days = 24 h), w (weeks =
// 7 days), m (calendar months), y (calendar years = 12 months); each unit at most once.
struct RetentionDuration {
  int years = 0;
  int months = 0;
  int weeks = 0;
  int days = 0;
  int hours = 0;
  std::string text;  // as the user wrote it, for reasons ("within 14d")

  bool operator==(const RetentionDuration&) const = default;
};

// Parses "14d", "36h", "2w", "6m", "1y", "1y6m". A usage error explains what is wrong.
Result<RetentionDuration> parse_duration(std::string_view text);

// The earliest instant inside `duration` counted back from `newest`. Calendar parts go first and
// are counted in UTC calendar months, clamping the day ("1m" before 2026-03-31 02:00 is
// 2026-02-28 02:00); then weeks, days and hours are subtracted as fixed spans of time.
std::chrono::sys_seconds window_start(std::chrono::sys_seconds newest,
                                      const RetentionDuration& duration);

struct RetentionPolicy {
  std::optional<int> keep_last;     // the N newest complete backups
  std::optional<int> keep_hourly;   // the newest backup of each of the N newest hours with one
  std::optional<int> keep_daily;    // ... days
  std::optional<int> keep_weekly;   // ... ISO weeks
  std::optional<int> keep_monthly;  // ... months
  std::optional<int> keep_yearly;   // ... years
  std::optional<RetentionDuration> keep_within;  // counted back from the newest complete backup
  std::string time_zone = "UTC";                 // IANA name; the buckets are local to it
};

// Refuses a policy that keeps nothing, counts below 1, and a time zone not found in the
// system's zoneinfo (usage errors, for check-config and prune alike).
Result<void> validate(const RetentionPolicy& policy);

}  // namespace dbkeep::repo
