#pragma once
// UTC time stamps as dbkeep writes them: manifests use ISO 8601 ("2026-11-21T02:00:00Z"),
// backup ids use "20261121_020000".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dbkeep::core {

using Seconds = std::chrono::sys_seconds;

Seconds now_seconds();
std::string format_iso_utc(Seconds time);
std::optional<Seconds> parse_iso_utc(std::string_view text);
std::string format_compact_utc(Seconds time);  // 20261121_020000
// "1.2 s", "3 min 4 s", "2 h 5 min": for humans.
std::string format_duration(std::chrono::milliseconds duration);
// "0 B", "12.3 MiB": for humans.
std::string format_bytes(std::uint64_t bytes);

}  // namespace dbkeep::core
