#include "dbkeep/core/time_format.hpp"

#include <cstdint>
#include <cstdio>
#include <ctime>

namespace dbkeep::core {
namespace {

std::tm to_tm(Seconds time) {
  std::time_t t = time.time_since_epoch().count();
  std::tm utc{};
  gmtime_r(&t, &utc);
  return utc;
}

}  // namespace

Seconds now_seconds() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string format_iso_utc(Seconds time) {
  std::tm utc = to_tm(time);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::optional<Seconds> parse_iso_utc(std::string_view text) {
  std::tm utc{};
  std::string copy(text);
  const char* end = ::strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return Seconds(std::chrono::seconds(::timegm(&utc)));
}

std::string format_compact_utc(Seconds time) {
  std::tm utc = to_tm(time);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d_%H%M%S", &utc);
  return buffer;
}

std::string format_duration(std::chrono::milliseconds duration) {
  auto ms = duration.count();
  char buffer[64];
  if (ms < 60'000) {
    std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(ms) / 1000.0);
  } else if (ms < 3'600'000) {
    std::snprintf(buffer, sizeof buffer, "%lld min %lld s", static_cast<long long>(ms / 60'000),
                  static_cast<long long>((ms / 1000) % 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld h %lld min", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>((ms / 60'000) % 60));
  }
  return buffer;
}

std::string format_bytes(std::uint64_t bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 5) {
    value /= 1024.0;
    ++unit;
  }
  char buffer[32];
  if (unit == 0) {
    std::snprintf(buffer, sizeof buffer, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f %s", value, kUnits[unit]);
  }
  return buffer;
}

}  // namespace dbkeep::core
