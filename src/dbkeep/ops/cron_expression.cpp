#include "dbkeep/ops/cron_expression.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace dbkeep::ops {
namespace {

using namespace std::chrono;

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // three-letter names for min..max, or null
};

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};

constexpr std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, nullptr},
    {"hour", 0, 23, nullptr},
    {"day of month", 1, 31, nullptr},
    {"month", 1, 12, kMonthNames},
    {"day of week", 0, 7, kDayNames},  // 7 is Sunday too
}};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

class FieldParser {
 public:
  FieldParser(const FieldSpec& spec, std::string_view expression)
      : spec_(spec), expression_(expression) {}

  // Sets bit v for every allowed value v.
  Result<std::vector<bool>> parse(std::string_view field) const {
    std::vector<bool> allowed(static_cast<std::size_t>(spec_.max + 1), false);
    for (auto element : split(field, ',')) {
      if (element.empty()) return problem("empty list element in '" + std::string(field) + "'");
      TRY(parse_element(element, allowed));
    }
    return allowed;
  }

 private:
  Result<void> parse_element(std::string_view element, std::vector<bool>& allowed) const {
    auto slash = element.find('/');
    std::string_view range = element.substr(0, slash);
    int step = 1;
    if (slash != std::string_view::npos) {
      TRY_ASSIGN(step, number(element.substr(slash + 1), "step"));
      if (step < 1) return problem("step must be at least 1 in '" + std::string(element) + "'");
    }
    int low = spec_.min;
    int high = spec_.max;
    if (range != "*") {
      auto dash = range.find('-');
      TRY_ASSIGN(low, value(range.substr(0, dash)));
      high = low;
      if (dash != std::string_view::npos) {
        TRY_ASSIGN(high, value(range.substr(dash + 1)));
      } else if (slash != std::string_view::npos) {
        return problem("a step needs a range or '*' in '" + std::string(element) + "' (write " +
                       std::string(range) + "-" + std::to_string(spec_.max) + "/" +
                       std::to_string(step) + ")");
      }
      if (low > high) return problem("range " + std::string(range) + " runs backwards");
    }
    for (int v = low; v <= high; v += step) allowed[static_cast<std::size_t>(v)] = true;
    return {};
  }

  Result<int> value(std::string_view text) const {
    if (spec_.names && text.size() == 3 && std::isalpha(static_cast<unsigned char>(text[0]))) {
      std::string lower;
      for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (int v = spec_.min; v <= spec_.max; ++v) {
        if (lower == spec_.names[v - spec_.min]) return v;
      }
      return problem("unknown name '" + std::string(text) + "'");
    }
    TRY_ASSIGN(int v, number(text, "value"));
    if (v < spec_.min || v > spec_.max) {
      return problem("value " + std::string(text) + " is outside " + std::to_string(spec_.min) +
                     "-" + std::to_string(spec_.max));
    }
    return v;
  }

  Result<int> number(std::string_view text, const char* what) const {
    int v = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
      return problem(std::string(what) + " '" + std::string(text) + "' is not a number" +
                     (spec_.names ? " or a name" : ""));
    }
    return v;
  }

  std::unexpected<Error> problem(const std::string& message) const {
    return usage_error("cron expression '" + std::string(expression_) + "': " + spec_.name +
                       " field: " + message);
  }

  const FieldSpec& spec_;
  std::string_view expression_;
};

std::string_view expand_macro(std::string_view text) {
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@hourly") return "0 * * * *";
  return {};
}

template <std::size_t N>
void copy_bits(const std::vector<bool>& from, std::bitset<N>& to) {
  for (std::size_t i = 0; i < N && i < from.size(); ++i) to[i] = from[i];
}

}  // namespace

Result<CronExpression> CronExpression::parse(std::string_view text) {
  auto words = split_whitespace(text);
  std::string_view fields_text = text;
  if (words.size() == 1 && words[0].starts_with('@')) {
    fields_text = expand_macro(words[0]);
    if (fields_text.empty()) {
      return usage_error("cron expression '" + std::string(text) + "': unknown macro " +
                         std::string(words[0]) +
                         " (known: @hourly @daily @midnight @weekly @monthly @yearly @annually)");
    }
    words = split_whitespace(fields_text);
  }
  if (words.size() != 5) {
    return usage_error("cron expression '" + std::string(text) + "' has " +
                       std::to_string(words.size()) +
                       " fields; it needs 5: minute hour day-of-month month day-of-week");
  }
  CronExpression cron;
  cron.text_ = std::string(text);
  std::array<std::vector<bool>, 5> values;
  for (std::size_t i = 0; i < 5; ++i) {
    TRY_ASSIGN(values[i], FieldParser(kFields[i], text).parse(words[i]));
  }
  copy_bits(values[0], cron.allowed_minutes);
  copy_bits(values[1], cron.allowed_hours);
  copy_bits(values[2], cron.allowed_days_of_month);
  copy_bits(values[3], cron.allowed_months);
  copy_bits(values[4], cron.allowed_days_of_week);
  if (values[4][7]) cron.allowed_days_of_week[0] = true;  // 7 is Sunday
  cron.day_of_month_star = words[2].starts_with('*');
  cron.day_of_week_star = words[4].starts_with('*');

  // Vixie cron accepts "0 0 31 2 *" and then never runs it; a backup schedule that never runs
  // is a mistake worth stopping at.
  if (!cron.next_after(sys_days{2000y / 1 / 1})) {
    return usage_error("cron expression '" + std::string(text) +
                       "' never matches a real date (check day of month against month)");
  }
  return cron;
}

bool CronExpression::day_matches(year_month_day date) const {
  bool month_ok = allowed_months[static_cast<unsigned>(date.month())];
  bool dom_ok = allowed_days_of_month[static_cast<unsigned>(date.day())];
  bool dow_ok = allowed_days_of_week[weekday(date).c_encoding()];
  if (!month_ok) return false;
  if (day_of_month_star || day_of_week_star) return dom_ok && dow_ok;
  return dom_ok || dow_ok;
}

bool CronExpression::matches(local_seconds local) const {
  auto day = floor<days>(local);
  hh_mm_ss time(local - day);
  return day_matches(year_month_day(sys_days(day.time_since_epoch()))) &&
         allowed_hours[static_cast<std::size_t>(time.hours().count())] &&
         allowed_minutes[static_cast<std::size_t>(time.minutes().count())];
}

std::optional<sys_seconds> CronExpression::next_after(sys_seconds after,
                                                      const core::TimeZone& zone) const {
  // Walks forward in UTC, testing the wall-clock time of each candidate and skipping whole days
  // and hours that cannot match. A day skip stops two hours short of midnight, and the rest
  // goes hour by hour, so an offset change inside a skipped span never jumps over a match.
  sys_seconds candidate = floor<minutes>(after) + minutes(1);
  // Between 1901 and 2099 the calendar repeats every 28 years, so any month, day and weekday
  // that can meet do so within 28 years (Feb 29 on a Sunday: 2004, 2032, 2060); a shorter
  // horizon made a rare but valid expression look like one that never runs again.
  const sys_seconds limit = candidate + days(28 * 366);
  while (candidate < limit) {
    local_seconds local = zone.to_local(candidate);
    auto day = floor<days>(local);
    auto since_midnight = local - day;
    auto to_next_hour = hours(1) - (since_midnight - floor<hours>(since_midnight));
    if (!day_matches(year_month_day(sys_days(day.time_since_epoch())))) {
      auto jump = days(1) - since_midnight - hours(2);
      candidate += jump >= hours(1) ? jump : to_next_hour;
      continue;
    }
    hh_mm_ss time(since_midnight);
    if (!allowed_hours[static_cast<std::size_t>(time.hours().count())]) {
      candidate += to_next_hour;
      continue;
    }
    if (allowed_minutes[static_cast<std::size_t>(time.minutes().count())]) return candidate;
    candidate += minutes(1);
  }
  return std::nullopt;
}

std::optional<sys_seconds> CronExpression::next_after(sys_seconds after) const {
  static const core::TimeZone utc = *core::TimeZone::load("UTC");
  return next_after(after, utc);
}

}  // namespace dbkeep::ops
