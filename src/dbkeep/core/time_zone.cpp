#include "dbkeep/core/time_zone.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string_view>

namespace dbkeep::core {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

namespace {

// ---- POSIX TZ strings ---------------------------------------------------------------------------

// Reads a POSIX TZ string left to right; every parse_* consumes what it recognises.
class PosixTzCursor {
 public:
  explicit PosixTzCursor(std::string_view text) : rest_(text) {}

  bool at_end() const { return rest_.empty(); }
  bool take(char expected) {
    if (rest_.empty() || rest_.front() != expected) return false;
    rest_.remove_prefix(1);
    return true;
  }
  bool next_is_digit() const {
    return !rest_.empty() && std::isdigit(static_cast<unsigned char>(rest_.front()));
  }

  // "CET" or "<+0330>"; returns false when there is no name.
  bool parse_name() {
    if (take('<')) {
      auto close = rest_.find('>');
      if (close == std::string_view::npos || close == 0) return false;
      rest_.remove_prefix(close + 1);
      return true;
    }
    std::size_t length = 0;
    while (length < rest_.size() && std::isalpha(static_cast<unsigned char>(rest_[length]))) {
      ++length;
    }
    rest_.remove_prefix(length);
    return length > 0;
  }

  // "[+-]h[:mm[:ss]]" with up to 3 hour digits (RFC 8536 allows 167 hours in switch times).
  std::optional<seconds> parse_signed_time() {
    int sign = 1;
    if (take('-')) {
      sign = -1;
    } else {
      take('+');
    }
    auto hours = parse_number(3);
    if (!hours) return std::nullopt;
    long total = *hours * 3600L;
    if (take(':')) {
      auto minutes = parse_number(2);
      if (!minutes || *minutes > 59) return std::nullopt;
      total += *minutes * 60L;
      if (take(':')) {
        auto secs = parse_number(2);
        if (!secs || *secs > 59) return std::nullopt;
        total += *secs;
      }
    }
    return seconds{sign * total};
  }

  // "Jn", "n" or "Mm.w.d", then an optional "/time".
  std::optional<PosixZoneRule::SwitchDay> parse_switch_day() {
    using Kind = PosixZoneRule::SwitchDay::Kind;
    PosixZoneRule::SwitchDay day;
    if (take('M')) {
      auto month = parse_number(2);
      if (!month || !take('.')) return std::nullopt;
      auto week = parse_number(1);
      if (!week || !take('.')) return std::nullopt;
      auto weekday = parse_number(1);
      if (!weekday || *month < 1 || *month > 12 || *week < 1 || *week > 5 || *weekday > 6) {
        return std::nullopt;
      }
      day = {Kind::kMonthWeekDay, *weekday, *month, *week};
    } else if (take('J')) {
      auto julian = parse_number(3);
      if (!julian || *julian < 1 || *julian > 365) return std::nullopt;
      day = {Kind::kJulianNoLeap, *julian};
    } else {
      auto zero_based = parse_number(3);
      if (!zero_based || *zero_based > 365) return std::nullopt;
      day = {Kind::kZeroBasedDay, *zero_based};
    }
    if (take('/')) {
      auto time = parse_signed_time();
      if (!time) return std::nullopt;
      day.time_of_day = *time;
    }
    return day;
  }

 private:
  std::optional<int> parse_number(std::size_t max_digits) {
    std::size_t length = 0;
    int value = 0;
    while (length < max_digits && length < rest_.size() &&
           std::isdigit(static_cast<unsigned char>(rest_[length]))) {
      value = value * 10 + (rest_[length] - '0');
      ++length;
    }
    if (length == 0) return std::nullopt;
    rest_.remove_prefix(length);
    return value;
  }

  std::string_view rest_;
};

// The UTC instant at which `day` (local time under `offset_before`) happens in `year`.
sys_seconds switch_instant(const PosixZoneRule::SwitchDay& day, int year, seconds offset_before) {
  using Kind = PosixZoneRule::SwitchDay::Kind;
  const std::chrono::year civil_year{year};
  const sys_days january_first{civil_year / std::chrono::January / 1};
  sys_days date;
  switch (day.kind) {
    case Kind::kJulianNoLeap:
      date = january_first + days{day.day - 1 + (civil_year.is_leap() && day.day >= 60 ? 1 : 0)};
      break;
    case Kind::kZeroBasedDay:
      date = january_first + days{day.day};
      break;
    case Kind::kMonthWeekDay: {
      const auto month = std::chrono::month{static_cast<unsigned>(day.month)};
      const auto weekday = std::chrono::weekday{static_cast<unsigned>(day.day)};
      date = day.week == 5
                 ? sys_days{civil_year / month / weekday[std::chrono::last]}
                 : sys_days{civil_year / month / weekday[static_cast<unsigned>(day.week)]};
      break;
    }
  }
  return sys_seconds{date} + day.time_of_day - offset_before;
}

// ---- TZif files ---------------------------------------------------------------------------------

// Bounds-checked big-endian reads over the bytes of a TZif file.
class TzifReader {
 public:
  explicit TzifReader(const std::string& bytes) : bytes_(bytes) {}

  std::size_t position() const { return position_; }
  bool skip(std::size_t count) {
    if (bytes_.size() - position_ < count) return false;
    position_ += count;
    return true;
  }
  std::optional<std::int64_t> read_signed(std::size_t width) {
    if (bytes_.size() - position_ < width) return std::nullopt;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      value = (value << 8) | static_cast<unsigned char>(bytes_[position_ + i]);
    }
    position_ += width;
    if (width == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
    return static_cast<std::int64_t>(value);  // width 1 (unsigned byte) or 8
  }
  std::string_view rest() const { return std::string_view(bytes_).substr(position_); }

 private:
  const std::string& bytes_;
  std::size_t position_ = 0;
};

struct TzifCounts {
  char version = 0;
  std::int64_t utc_local_indicators = 0, standard_wall_indicators = 0, leap_seconds = 0,
               transitions = 0, types = 0, abbreviation_chars = 0;

  std::size_t data_size(std::size_t time_width) const {
    return static_cast<std::size_t>(transitions * static_cast<std::int64_t>(time_width + 1) +
                                    types * 6 + abbreviation_chars +
                                    leap_seconds * static_cast<std::int64_t>(time_width + 4) +
                                    standard_wall_indicators + utc_local_indicators);
  }
};

std::optional<TzifCounts> read_tzif_header(TzifReader& reader) {
  if (reader.rest().substr(0, 4) != "TZif" || reader.rest().size() < 44) return std::nullopt;
  TzifCounts counts;
  counts.version = reader.rest()[4];
  reader.skip(20);
  for (auto* count :
       {&counts.utc_local_indicators, &counts.standard_wall_indicators, &counts.leap_seconds,
        &counts.transitions, &counts.types, &counts.abbreviation_chars}) {
    *count = static_cast<std::uint32_t>(*reader.read_signed(4));
  }
  if (counts.types < 1 || counts.types > 256 || counts.transitions > 100000) return std::nullopt;
  return counts;
}

bool is_safe_zone_name(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '_' && c != '-' &&
        c != '+') {
      return false;
    }
  }
  std::istringstream components(name);
  for (std::string component; std::getline(components, component, '/');) {
    if (component.empty() || component == "." || component == "..") return false;
  }
  return true;
}

}  // namespace

seconds PosixZoneRule::utc_offset_at(sys_seconds when) const {
  if (!has_daylight_saving) return standard_offset;
  const auto local_day = std::chrono::floor<days>(when + standard_offset);
  const int year = static_cast<int>(std::chrono::year_month_day{local_day}.year());
  const sys_seconds start = switch_instant(daylight_start, year, standard_offset);
  const sys_seconds end = switch_instant(daylight_end, year, daylight_offset);
  const bool in_daylight_saving =
      start < end ? (when >= start && when < end) : (when < end || when >= start);
  return in_daylight_saving ? daylight_offset : standard_offset;
}

Result<PosixZoneRule> parse_posix_zone_rule(const std::string& text) {
  auto malformed = [&] { return usage_error("malformed POSIX time zone rule \"" + text + "\""); };
  PosixZoneRule rule;
  PosixTzCursor cursor(text);
  if (!cursor.parse_name()) return malformed();
  auto standard = cursor.parse_signed_time();
  if (!standard) return malformed();
  rule.standard_offset = -*standard;  // POSIX offsets are "add to local to get UTC"
  if (cursor.at_end()) return rule;

  if (!cursor.parse_name()) return malformed();
  rule.has_daylight_saving = true;
  rule.daylight_offset = rule.standard_offset + std::chrono::hours{1};
  if (!cursor.at_end() && !cursor.take(',')) {
    auto daylight = cursor.parse_signed_time();
    if (!daylight || !cursor.take(',')) return malformed();
    rule.daylight_offset = -*daylight;
  } else if (cursor.at_end()) {
    return malformed();  // TZif footers always state when daylight saving starts and ends
  }
  auto start = cursor.parse_switch_day();
  if (!start || !cursor.take(',')) return malformed();
  auto end = cursor.parse_switch_day();
  if (!end || !cursor.at_end()) return malformed();
  rule.daylight_start = *start;
  rule.daylight_end = *end;
  return rule;
}

Result<TimeZone> TimeZone::load(const std::string& name,
                                const std::filesystem::path& zoneinfo_directory) {
  TimeZone zone;
  zone.name_ = name;
  zone.type_offsets_ = {seconds{0}};
  if (name == "UTC") return zone;
  if (!is_safe_zone_name(name)) {
    return usage_error("invalid time zone name \"" + name + "\" (expected e.g. Europe/Berlin)");
  }
  const auto path = zoneinfo_directory / name;
  std::ifstream file(path, std::ios::binary);
  if (!file || std::filesystem::is_directory(path)) {
    return usage_error("unknown time zone \"" + name + "\" (no such zone in " +
                       zoneinfo_directory.string() + ")");
  }
  const std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  auto loaded = zone.read_tzif(bytes);
  if (!loaded) return propagate(loaded.error().with_context("time zone file " + path.string()));
  return zone;
}

Result<void> TimeZone::read_tzif(const std::string& bytes) {
  auto invalid = [] { return usage_error("not a valid TZif file"); };
  TzifReader reader(bytes);
  auto counts = read_tzif_header(reader);
  if (!counts) return invalid();
  std::size_t time_width = 4;
  if (counts->version != '\0') {  // version 2+: skip the 32-bit block, use the 64-bit one
    if (!reader.skip(counts->data_size(4))) return invalid();
    counts = read_tzif_header(reader);
    if (!counts) return invalid();
    time_width = 8;
  }
  const auto data_start = reader.position();
  if (reader.rest().size() < counts->data_size(time_width)) return invalid();

  transition_times_.clear();
  transition_types_.clear();
  type_offsets_.clear();
  for (std::int64_t i = 0; i < counts->transitions; ++i) {
    transition_times_.push_back(*reader.read_signed(time_width));
  }
  for (std::int64_t i = 0; i < counts->transitions; ++i) {
    const auto type = *reader.read_signed(1);
    if (type >= counts->types) return invalid();
    transition_types_.push_back(static_cast<std::uint8_t>(type));
  }
  for (std::int64_t i = 0; i < counts->types; ++i) {
    type_offsets_.push_back(seconds{*reader.read_signed(4)});
    reader.skip(2);  // is-DST flag and abbreviation index: not needed for bucketing
  }
  if (!std::is_sorted(transition_times_.begin(), transition_times_.end())) return invalid();

  reader.skip(counts->data_size(time_width) - (reader.position() - data_start));
  auto footer = reader.rest();
  if (time_width == 8 && footer.size() >= 2 && footer.front() == '\n') {
    footer = footer.substr(1, footer.find('\n', 1) - 1);
    if (!footer.empty()) {
      TRY_ASSIGN(footer_rule_, parse_posix_zone_rule(std::string(footer)));
      has_footer_rule_ = true;
    }
  }
  return {};
}

seconds TimeZone::utc_offset_at(sys_seconds when) const {
  const std::int64_t instant = when.time_since_epoch().count();
  if (has_footer_rule_ && (transition_times_.empty() || instant >= transition_times_.back())) {
    return footer_rule_.utc_offset_at(when);
  }
  // RFC 8536: before the first transition, time type 0 applies.
  auto after = std::upper_bound(transition_times_.begin(), transition_times_.end(), instant);
  if (after == transition_times_.begin()) return type_offsets_.front();
  return type_offsets_[transition_types_[static_cast<std::size_t>(after -
                                                                  transition_times_.begin() - 1)]];
}

}  // namespace dbkeep::core
