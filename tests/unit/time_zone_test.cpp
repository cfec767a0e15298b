#include "dbkeep/core/time_zone.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "support/temp_dir.hpp"

namespace dbkeep::core {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

constexpr const char* kZoneinfo = TimeZone::kDefaultZoneinfoDirectory;

bool have_zoneinfo() {
  return std::filesystem::exists(std::string(kZoneinfo) + "/Europe/Berlin");
}

// glibc's own answer: an independent implementation to compare against. Only safe in a
// single-threaded test, which is exactly why production code does not do this.
class GlibcZone {
 public:
  explicit GlibcZone(const std::string& zone) {
    if (const char* old = std::getenv("TZ")) previous_ = old;
    setenv("TZ", zone.c_str(), 1);
    tzset();
  }
  ~GlibcZone() {
    if (previous_) {
      setenv("TZ", previous_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  long offset_at(sys_seconds when) const {
    std::time_t t = when.time_since_epoch().count();
    std::tm local{};
    localtime_r(&t, &local);
    return local.tm_gmtoff;
  }

 private:
  std::optional<std::string> previous_;
};

TEST(TimeZoneTest, UtcNeedsNoZoneinfoFiles) {
  auto utc = TimeZone::load("UTC", "/nonexistent");
  ASSERT_TRUE(utc) << utc.error().message;
  EXPECT_EQ(utc->utc_offset_at(sys_days{2026y / 7 / 1}), 0s);
}

TEST(TimeZoneTest, BerlinWinterAndSummer) {
  if (!have_zoneinfo()) GTEST_SKIP() << "no " << kZoneinfo;
  auto berlin = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(berlin) << berlin.error().message;
  EXPECT_EQ(berlin->utc_offset_at(sys_days{2026y / 1 / 15}), 1h);
  EXPECT_EQ(berlin->utc_offset_at(sys_days{2026y / 7 / 15}), 2h);
  // 2026-03-29 01:00 UTC: clocks go from 02:00 CET to 03:00 CEST.
  EXPECT_EQ(berlin->utc_offset_at(sys_days{2026y / 3 / 29} + 59min), 1h);
  EXPECT_EQ(berlin->utc_offset_at(sys_days{2026y / 3 / 29} + 1h), 2h);
  // Far beyond the file's listed transitions the footer rule "CET-1CEST,M3.5.0,M10.5.0/3" rules.
  EXPECT_EQ(berlin->utc_offset_at(sys_days{2100y / 7 / 1}), 2h);
  EXPECT_EQ(berlin->utc_offset_at(sys_days{2100y / 12 / 1}), 1h);
}

TEST(TimeZoneTest, AgreesWithGlibcEverySixHoursFor2020To2050) {
  if (!have_zoneinfo()) GTEST_SKIP() << "no " << kZoneinfo;
  for (const std::string name :
       {"Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Sao_Paulo",
        "Asia/Kolkata", "America/Nuuk", "Pacific/Chatham", "Africa/Casablanca", "Asia/Tehran"}) {
    auto zone = TimeZone::load(name);
    ASSERT_TRUE(zone) << name << ": " << zone.error().message;
    GlibcZone glibc(name);
    int mismatches = 0;
    for (sys_seconds when = sys_days{2020y / 1 / 1}; when < sys_days{2050y / 1 / 1};
         when += 6h + 17min) {
      if (zone->utc_offset_at(when).count() != glibc.offset_at(when) && ++mismatches < 5) {
        ADD_FAILURE() << name << " at " << when.time_since_epoch().count() << ": "
                      << zone->utc_offset_at(when).count() << " vs glibc " << glibc.offset_at(when);
      }
    }
    EXPECT_EQ(mismatches, 0) << name;
  }
}

TEST(TimeZoneTest, RefusesUnknownAndUnsafeNames) {
  for (const std::string name : {"Europe/Berln", "../etc/passwd", "/etc/localtime", "", "Europe",
                                 "Europe/../UTC", "Europe/Berlin "}) {
    auto zone = TimeZone::load(name);
    ASSERT_FALSE(zone) << name;
    EXPECT_EQ(zone.error().kind, ErrorKind::kUsage) << name;
  }
  EXPECT_NE(TimeZone::load("Europe/Berln").error().message.find("unknown time zone"),
            std::string::npos);
}

TEST(TimeZoneTest, RefusesFilesThatAreNotTzif) {
  const auto scratch = test::make_temp_dir();
  const auto& directory = scratch.path();
  { std::ofstream(directory / "Broken") << "not a zone"; }
  auto zone = TimeZone::load("Broken", directory);
  ASSERT_FALSE(zone);
  EXPECT_NE(zone.error().message.find("not a valid TZif file"), std::string::npos);
}

TEST(PosixZoneRuleTest, ParsesFootersAndRefusesGarbage) {
  auto sydney = parse_posix_zone_rule("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(sydney);
  EXPECT_EQ(sydney->standard_offset, 10h);
  EXPECT_EQ(sydney->daylight_offset, 11h);
  EXPECT_EQ(sydney->utc_offset_at(sys_days{2060y / 1 / 10}), 11h);  // southern summer
  EXPECT_EQ(sydney->utc_offset_at(sys_days{2060y / 7 / 10}), 10h);
  auto kolkata = parse_posix_zone_rule("IST-5:30");
  ASSERT_TRUE(kolkata);
  EXPECT_EQ(kolkata->utc_offset_at(sys_days{2060y / 7 / 10}), 5h + 30min);
  auto quoted = parse_posix_zone_rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->standard_offset, -2h);
  for (const std::string bad : {"", "CET", "CET-1CEST", "CET-1CEST,M13.5.0,M10.5.0",
                                "CET-1CEST,M3.5.0", "<CET-1", "CET-1CEST,M3.5.0,M10.5.0/3x"}) {
    EXPECT_FALSE(parse_posix_zone_rule(bad)) << bad;
  }
}

}  // namespace
}  // namespace dbkeep::core
