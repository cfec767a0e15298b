#pragma once
// A cron schedule in the five-field syntax of Debian's (Vixie) cron:
//   minute hour day-of-month month day-of-week
// with `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b-c`, month names
// (jan…dec) and weekday names (sun…sat; 0 and 7 are Sunday), plus the macros @yearly,
// @annually, @monthly, @weekly, @daily, @midnight and @hourly (@reboot has no next run and is
// refused). Day of month and day of week follow cron's rule: when both are restricted (neither
// field starts with `*`), a day matches if EITHER matches; otherwise both must.
//
// parse() refuses anything Debian's cron would refuse, and also expressions that never match a
// real date (`0 0 30 2 *`), with a message naming the field and the problem.

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/time_zone.hpp"

namespace dbkeep::ops {

class CronExpression {
 public:
  static Result<CronExpression> parse(std::string_view text);

  // The first minute strictly after `after` whose wall-clock time in `zone` matches. Wall-clock
  // minutes that a daylight-saving jump skips never match; minutes that repeat when clocks go
  // back match twice. nullopt only when nothing matches within 28 years (a full cycle of the
  // calendar).
  [[nodiscard]] std::optional<std::chrono::sys_seconds> next_after(
      std::chrono::sys_seconds after, const core::TimeZone& zone) const;
  // The same in UTC.
  [[nodiscard]] std::optional<std::chrono::sys_seconds> next_after(
      std::chrono::sys_seconds after) const;

  // Does this local wall-clock minute match?
  [[nodiscard]] bool matches(std::chrono::local_seconds local) const;

  [[nodiscard]] const std::string& text() const { return text_; }

  // The values each field allows; the systemd writer turns them into OnCalendar lists.
  std::bitset<60> allowed_minutes;
  std::bitset<24> allowed_hours;
  std::bitset<32> allowed_days_of_month;  // bit 0 unused
  std::bitset<13> allowed_months;         // bit 0 unused
  std::bitset<7> allowed_days_of_week;    // 0 = Sunday
  bool day_of_month_star = false;         // the field started with '*' (cron's DOM_STAR)
  bool day_of_week_star = false;          // the field started with '*' (cron's DOW_STAR)

 private:
  [[nodiscard]] bool day_matches(std::chrono::year_month_day date) const;
  std::string text_;
};

}  // namespace dbkeep::ops
