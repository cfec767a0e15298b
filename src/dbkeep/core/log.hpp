#pragma once
// Process-wide logger. Lines look like `[YYYY-MM-DD HH:MM:SS] [LEVEL] message` (local time as
// configured by TZ) and go to the terminal (stderr) and, once opened, to the log file.
// Thread-safe. Callers must never pass secrets; redact() exists for text from outside
// (child-process stderr, server errors) that might echo one.

#include <filesystem>
#include <string>
#include <string_view>

#include "dbkeep/core/error.hpp"

namespace dbkeep::log {

enum class Level { kDebug, kInfo, kWarn, kError };

struct Options {
  Level terminal_level = Level::kInfo;  // --verbose lowers to kDebug, --quiet raises to kWarn
  bool terminal = true;
};

void configure(const Options& options);
// Appends to `path` (created 0640 if missing). Lines at kDebug go to the file too.
Result<void> open_file(const std::filesystem::path& path);
void close_file();

void write(Level level, std::string_view message);
inline void debug(std::string_view m) { write(Level::kDebug, m); }
inline void info(std::string_view m) { write(Level::kInfo, m); }
inline void warn(std::string_view m) { write(Level::kWarn, m); }
inline void error(std::string_view m) { write(Level::kError, m); }

// Registers a secret so it is masked as "***" in every line written after this call.
void register_secret(std::string secret);
// Returns `text` with every registered secret masked.
std::string redact(std::string_view text);

// Formats a timestamp line prefix for `now`, exposed for tests.
std::string format_line(Level level, std::string_view message);

}  // namespace dbkeep::log
