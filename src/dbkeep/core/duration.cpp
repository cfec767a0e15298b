#include "dbkeep/core/duration.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace dbkeep::core {

namespace {

// Beyond this a duration is surely a typo, and the calendar arithmetic stays far from overflow.
constexpr std::int64_t kMaximumMonths = 1000 * 12;
constexpr std::int64_t kMaximumFixedHours = 1000 * 366 * 24;

int* field_for_unit(RetentionDuration& duration, char unit) {
  switch (unit) {
    case 'y':
      return &duration.years;
    case 'm':
      return &duration.months;
    case 'w':
      return &duration.weeks;
    case 'd':
      return &duration.days;
    case 'h':
      return &duration.hours;
    default:
      return nullptr;
  }
}

}  // namespace

Result<RetentionDuration> parse_duration(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  auto invalid = [&](const std::string& why) {
    return usage_error("invalid duration " + quoted + ": " + why +
                       " (expected a number and a unit, e.g. \"14d\" or \"1y6m\"; units: "
                       "h hours, d days, w weeks, m months, y years)");
  };
  if (text.empty()) return invalid("it is empty");

  RetentionDuration duration;
  duration.text = std::string(text);
  std::string units_seen;
  const char* position = text.data();
  const char* const end = text.data() + text.size();
  while (position != end) {
    if (!std::isdigit(static_cast<unsigned char>(*position))) {
      return invalid("expected a number at '" + std::string(position, end) + "'");
    }
    int value = 0;
    auto [after_number, error] = std::from_chars(position, end, value);
    if (error == std::errc::result_out_of_range) return invalid("the number is too large");
    if (after_number == end)
      return invalid("the number " + std::string(position, end) + " has no unit");
    const char unit = *after_number;
    int* field = field_for_unit(duration, unit);
    if (field == nullptr) return invalid("unknown unit '" + std::string(1, unit) + "'");
    if (units_seen.find(unit) != std::string::npos) {
      return invalid("unit '" + std::string(1, unit) + "' appears twice");
    }
    units_seen += unit;
    *field = value;
    position = after_number + 1;
  }

  const std::int64_t months = std::int64_t{duration.years} * 12 + duration.months;
  const std::int64_t fixed_hours =
      std::int64_t{duration.weeks} * 7 * 24 + std::int64_t{duration.days} * 24 + duration.hours;
  if (months == 0 && fixed_hours == 0) return invalid("it must be longer than zero");
  if (months > kMaximumMonths || fixed_hours > kMaximumFixedHours) {
    return invalid("it is longer than 1000 years");
  }
  return duration;
}

std::chrono::sys_seconds window_start(std::chrono::sys_seconds newest,
                                      const RetentionDuration& duration) {
  using namespace std::chrono;
  const sys_days newest_day = floor<days>(newest);
  const auto time_of_day = newest - newest_day;
  const year_month_day date{newest_day};
  const year_month shifted =
      date.year() / date.month() - months{std::int64_t{duration.years} * 12 + duration.months};
  const day clamped_day = std::min(date.day(), (shifted / last).day());
  const auto fixed = hours{std::int64_t{duration.weeks} * 7 * 24 +
                           std::int64_t{duration.days} * 24 + duration.hours};
  return sys_days{shifted / clamped_day} + time_of_day - fixed;
}

Result<std::chrono::seconds> parse_span(std::string_view text, std::string_view what) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t factor = unit == "s"   ? 1
                        : unit == "m" ? 60
                        : unit == "h" ? 3600
                        : unit == "d" ? 86400
                                      : 0;
  constexpr std::int64_t kMaximumSeconds = 366LL * 86400 * 100;  // a century: surely a typo
  if (error != std::errc() || value <= 0 || factor == 0 || value > kMaximumSeconds / factor) {
    return usage_error(std::string(what) +
                       ": write a positive number with s, m, h or d, e.g. 5m or 26h");
  }
  return std::chrono::seconds(value * factor);
}

}  // namespace dbkeep::core
