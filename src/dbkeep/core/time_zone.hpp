#pragma once
// A named IANA time zone read from the system's compiled zoneinfo files (TZif, RFC 8536), used to
// put a backup's UTC start time into the local hour/day/week/month/year buckets of a retention
// policy. libstdc++ 12 has no chrono time-zone database, and switching the process-wide TZ
// (setenv + tzset) would race with the logger's localtime_r, so the zone is read here instead:
// after load() a TimeZone is immutable and safe to share between threads.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

// The daylight-saving rule of a POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3", which a
// TZif file carries as its footer to describe times after its last listed transition.
struct PosixZoneRule {
  // When in the year a switch happens, in local time of the offset in effect before it.
  struct SwitchDay {
    enum class Kind { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int day = 0;    // Jn: 1..365 (Feb 29 never counted); n: 0..365; Mm.w.d: weekday d 0=Sunday
    int month = 0;  // Mm.w.d only: 1..12
    int week = 0;   // Mm.w.d only: 1..5, 5 = the last such weekday of the month
    std::chrono::seconds time_of_day{2 * 3600};  // may be negative or past 24h (RFC 8536)
  };
  std::chrono::seconds standard_offset{0};  // added to UTC to get standard local time
  bool has_daylight_saving = false;
  std::chrono::seconds daylight_offset{0};
  SwitchDay daylight_start;
  SwitchDay daylight_end;

  std::chrono::seconds utc_offset_at(std::chrono::sys_seconds when) const;
};

// Parses a POSIX TZ string (the TZif footer form). Errors name the text.
Result<PosixZoneRule> parse_posix_zone_rule(const std::string& text);

class TimeZone {
 public:
  static constexpr const char* kDefaultZoneinfoDirectory = "/usr/share/zoneinfo";

  // Loads zone `name` ("UTC", "Europe/Berlin") from `zoneinfo_directory`. "UTC" works even when
  // the directory is missing (minimal containers). A usage error names an unknown or malformed
  // zone; names with ".." or a leading '/' are refused.
  static Result<TimeZone> load(
      const std::string& name,
      const std::filesystem::path& zoneinfo_directory = kDefaultZoneinfoDirectory);

  const std::string& name() const { return name_; }

  // The offset from UTC in effect at `when` (e.g. +1h for Berlin in winter).
  std::chrono::seconds utc_offset_at(std::chrono::sys_seconds when) const;

  // `when` as wall-clock time in this zone.
  std::chrono::local_seconds to_local(std::chrono::sys_seconds when) const {
    return std::chrono::local_seconds{when.time_since_epoch() + utc_offset_at(when)};
  }

 private:
  std::string name_;
  std::vector<std::int64_t> transition_times_;      // UTC seconds, ascending
  std::vector<std::uint8_t> transition_types_;      // index into type_offsets_, per transition
  std::vector<std::chrono::seconds> type_offsets_;  // at least one entry
  bool has_footer_rule_ = false;
  PosixZoneRule footer_rule_;  // applies after the last transition when has_footer_rule_

  // Fills the fields above from the bytes of a TZif file.
  Result<void> read_tzif(const std::string& bytes);
};

}  // namespace dbkeep::core
