#pragma once
// Calendar durations as the configuration writes them ("14d", "1y6m"): keep_within, and any
// later key that counts back in calendar time. Kept in core so config loading can check them.

#include <chrono>
#include <string>
#include <string_view>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

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

// A wait or an age as a fixed span: "30s", "5m", "26h", "2d" (one number, one unit: s, m, h,
// d). retry_delay and `status --max-age` read it; "m" here is minutes, not calendar months.
// A usage error names `what` (e.g. "--max-age '5x'") and shows an example.
Result<std::chrono::seconds> parse_span(std::string_view text, std::string_view what);

}  // namespace dbkeep::core
