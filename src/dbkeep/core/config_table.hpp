#pragma once
// Strict, typed reading of one TOML table of the configuration, with environment overrides.
//
// Every accessor first looks at the environment variable <env_prefix>_<KEY> (upper case), then
// at the file. Each key read is remembered, so reject_unknown_keys() can report anything the
// program never asked for — with file, line and a "did you mean" suggestion. Empty values are
// errors, never silent defaults. Every error is ErrorKind::kUsage (exit 2).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/environment.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/core/toml.hpp"

namespace dbkeep::core {

// The section name a ConfigTable over the whole file uses; its subtables are "[name]".
inline constexpr std::string_view kTopLevelSection = "[top level]";

class ConfigTable {
 public:
  // `table` may be null (section absent: only environment overrides can supply keys).
  ConfigTable(const toml::table* table, std::string file, std::string section,
              std::string env_prefix, const Environment* environment);

  Result<std::optional<std::string>> string(std::string_view key);
  Result<std::string> required_string(std::string_view key);
  Result<std::optional<std::int64_t>> integer(std::string_view key, std::int64_t min,
                                              std::int64_t max);
  Result<std::optional<bool>> boolean(std::string_view key);
  Result<std::optional<std::vector<std::string>>> string_list(std::string_view key);
  // A file or directory: a relative value (from the file or the environment) is taken relative
  // to the config file's directory, so a run from cron (working directory /) finds the same
  // files as one from a shell.
  Result<std::optional<std::filesystem::path>> path(std::string_view key);
  Result<std::filesystem::path> required_path(std::string_view key);
  // `value` made absolute against the config file's directory (unchanged when absolute).
  [[nodiscard]] std::filesystem::path resolve(const std::filesystem::path& value) const;
  // A program named with a slash ("./stop-app", "bin/x") is resolved like a path; a bare name
  // ("mariadbd") is left for the PATH lookup when it runs.
  [[nodiscard]] std::string resolve_program(const std::string& program) const;
  // Sizes like "1G", "512M", "64K", "100" (bytes); binary units.
  Result<std::optional<std::uint64_t>> size(std::string_view key);

  // A nested table ("sqlite" in [set.sqlite]); marks the key as known.
  ConfigTable subtable(std::string_view key);
  [[nodiscard]] bool present() const { return table_ != nullptr; }
  // True when the file itself sets `key` (whatever the environment says).
  [[nodiscard]] bool in_file(std::string_view key) const {
    return table_ && table_->get(key) != nullptr;
  }

  // Errors for keys in the file that were never read.
  Result<void> reject_unknown_keys() const;

  // "dbkeep.toml:12: [set.sqlite] path" — where a key was (or would be) set, for messages.
  [[nodiscard]] std::string where(std::string_view key) const;
  [[nodiscard]] const std::string& section() const { return section_; }

 private:
  std::optional<std::string> env_value(std::string_view key) const;
  std::string env_name(std::string_view key) const;
  const toml::node* node(std::string_view key);
  std::unexpected<Error> error(std::string_view key, const std::string& problem) const;

  const toml::table* table_;
  std::string file_;
  std::string section_;
  std::string env_prefix_;
  const Environment* environment_;
  std::set<std::string, std::less<>> known_;
};

// Upper-cases and replaces non-alphanumerics by '_' ("my-set" → "MY_SET").
std::string env_component(std::string_view name);
// Parses "1G"/"512M"/"64K"/"123" into bytes.
std::optional<std::uint64_t> parse_size(std::string_view text);
// Closest candidate by edit distance, if it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

}  // namespace dbkeep::core
