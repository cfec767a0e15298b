#pragma once
// What a backup set's [set.retention] table asks to keep. The rules are explained in
// docs/retention.md; the engine that applies them is repo/retention.hpp.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "dbkeep/core/duration.hpp"
#include "dbkeep/core/error.hpp"

namespace dbkeep::repo {

// The duration type lives in core so the configuration can check it at load time.
using core::parse_duration;
using core::RetentionDuration;
using core::window_start;

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
