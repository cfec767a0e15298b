#include "dbkeep/core/config_table.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

extern char** environ;

namespace dbkeep::core {
namespace {

std::string describe_type(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date/time";
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Environment current_environment() {
  Environment env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return env;
}

std::string env_component(std::string_view name) {
  std::string out;
  for (char c : name) {
    out += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
               : '_';
  }
  return out;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t multiplier = 1;
  char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
  if (text.size() > 1 && (unit == 'B')) {  // accept "1GB"/"1GiB"-less forms: strip a trailing B
    text.remove_suffix(1);
    if (text.ends_with('i')) text.remove_suffix(1);
    unit = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
  }
  constexpr std::string_view kUnits = "KMGTP";
  if (auto pos = kUnits.find(unit); pos != std::string_view::npos) {
    multiplier = 1ULL << (10 * (pos + 1));
    text.remove_suffix(1);
  }
  auto value = parse_integer(text);
  if (!value || *value < 0) return std::nullopt;
  auto bytes = static_cast<std::uint64_t>(*value);
  if (bytes > UINT64_MAX / multiplier) return std::nullopt;
  return bytes * multiplier;
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    auto distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

ConfigTable::ConfigTable(const toml::table* table, std::string file, std::string section,
                         std::string env_prefix, const Environment* environment)
    : table_(table),
      file_(std::move(file)),
      section_(std::move(section)),
      env_prefix_(std::move(env_prefix)),
      environment_(environment) {}

std::string ConfigTable::env_name(std::string_view key) const {
  return env_prefix_ + "_" + env_component(key);
}

std::optional<std::string> ConfigTable::env_value(std::string_view key) const {
  if (!environment_) return std::nullopt;
  auto it = environment_->find(env_name(key));
  if (it == environment_->end()) return std::nullopt;
  return it->second;
}

const toml::node* ConfigTable::node(std::string_view key) {
  known_.emplace(key);
  return table_ ? table_->get(key) : nullptr;
}

std::string ConfigTable::where(std::string_view key) const {
  std::string location = file_;
  const toml::node* found = table_ ? table_->get(key) : nullptr;
  if (found && found->source().begin.line > 0) {
    location += ":" + std::to_string(found->source().begin.line);
  } else if (table_ && table_->source().begin.line > 0) {
    location += ":" + std::to_string(table_->source().begin.line);
  }
  return location + ": " + section_ + " " + std::string(key);
}

std::unexpected<Error> ConfigTable::error(std::string_view key, const std::string& problem) const {
  if (env_value(key)) return usage_error("environment " + env_name(key) + ": " + problem);
  return usage_error(where(key) + ": " + problem);
}

Result<std::optional<std::string>> ConfigTable::string(std::string_view key) {
  const toml::node* found = node(key);
  std::optional<std::string> value = env_value(key);
  if (!value && found) {
    if (!found->is_string()) return error(key, "must be a string, got " + describe_type(*found));
    value = found->as_string()->get();
  }
  if (value && value->empty()) return error(key, "must not be empty (remove the key instead)");
  return value;
}

Result<std::string> ConfigTable::required_string(std::string_view key) {
  TRY_ASSIGN(auto value, string(key));
  if (!value) {
    return usage_error(file_ + ": " + section_ + " is missing required key '" + std::string(key) +
                       "' (or set " + env_name(key) + ")");
  }
  return *value;
}

std::filesystem::path ConfigTable::resolve(const std::filesystem::path& value) const {
  if (value.is_absolute()) return value;
  std::error_code ignored;
  auto directory = std::filesystem::absolute(file_, ignored).parent_path();
  return (directory / value).lexically_normal();
}

std::string ConfigTable::resolve_program(const std::string& program) const {
  return program.find('/') == std::string::npos ? program : resolve(program).string();
}

Result<std::optional<std::filesystem::path>> ConfigTable::path(std::string_view key) {
  TRY_ASSIGN(auto value, string(key));
  if (!value) return std::optional<std::filesystem::path>{};
  return std::optional<std::filesystem::path>{resolve(*value)};
}

Result<std::filesystem::path> ConfigTable::required_path(std::string_view key) {
  TRY_ASSIGN(auto value, required_string(key));
  return resolve(value);
}

Result<std::optional<std::int64_t>> ConfigTable::integer(std::string_view key, std::int64_t min,
                                                         std::int64_t max) {
  const toml::node* found = node(key);
  std::optional<std::int64_t> value;
  if (auto text = env_value(key)) {
    if (text->empty()) return error(key, "must not be empty");
    value = parse_integer(*text);
    if (!value) return error(key, "must be an integer, got '" + *text + "'");
  } else if (found) {
    if (!found->is_integer()) return error(key, "must be an integer, got " + describe_type(*found));
    value = found->as_integer()->get();
  }
  if (value && (*value < min || *value > max)) {
    return error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                          ", got " + std::to_string(*value));
  }
  return value;
}

Result<std::optional<bool>> ConfigTable::boolean(std::string_view key) {
  const toml::node* found = node(key);
  if (auto text = env_value(key)) {
    if (*text == "true" || *text == "1" || *text == "yes") return true;
    if (*text == "false" || *text == "0" || *text == "no") return false;
    return error(key, "must be true or false, got '" + *text + "'");
  }
  if (!found) return std::optional<bool>{};
  if (!found->is_boolean())
    return error(key, "must be true or false, got " + describe_type(*found));
  return found->as_boolean()->get();
}

Result<std::optional<std::vector<std::string>>> ConfigTable::string_list(std::string_view key) {
  const toml::node* found = node(key);
  std::vector<std::string> values;
  if (auto text = env_value(key)) {
    // Environment lists are comma-separated: DBKEEP_..._KEY="a,b,c".
    std::string_view rest = *text;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      values.emplace_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  } else if (found) {
    const toml::array* array = found->as_array();
    if (!array) return error(key, "must be an array of strings, got " + describe_type(*found));
    for (const auto& element : *array) {
      if (!element.is_string()) return error(key, "must be an array of strings");
      values.push_back(element.as_string()->get());
    }
  } else {
    return std::optional<std::vector<std::string>>{};
  }
  for (const auto& value : values) {
    if (value.empty()) return error(key, "must not contain empty strings");
  }
  return values;
}

Result<std::optional<std::uint64_t>> ConfigTable::size(std::string_view key) {
  const toml::node* found = node(key);
  std::string text;
  if (auto env = env_value(key)) {
    text = *env;
  } else if (found && found->is_integer()) {
    auto value = found->as_integer()->get();
    if (value < 0) return error(key, "must not be negative");
    return static_cast<std::uint64_t>(value);
  } else if (found && found->is_string()) {
    text = found->as_string()->get();
  } else if (found) {
    return error(key, "must be a size like \"512M\" or \"1G\", got " + describe_type(*found));
  } else {
    return std::optional<std::uint64_t>{};
  }
  if (text.empty()) return error(key, "must not be empty");
  auto bytes = parse_size(text);
  if (!bytes) return error(key, "must be a size like \"512M\" or \"1G\", got '" + text + "'");
  return bytes;
}

ConfigTable ConfigTable::subtable(std::string_view key) {
  const toml::node* found = node(key);
  const toml::table* table = found ? found->as_table() : nullptr;
  std::string section = section_ == kTopLevelSection ? "[" + std::string(key) + "]"
                                                     : section_.substr(0, section_.size() - 1) +
                                                           "." + std::string(key) + "]";
  return ConfigTable(table, file_, section, env_name(key), environment_);
}

Result<void> ConfigTable::reject_unknown_keys() const {
  if (!table_) return {};
  std::vector<std::string> candidates(known_.begin(), known_.end());
  for (const auto& [key, value] : *table_) {
    if (known_.contains(key.str())) continue;
    std::string message = "unknown key '" + std::string(key.str()) + "'";
    if (auto suggestion = closest_match(key.str(), candidates)) {
      message += " (did you mean '" + *suggestion + "'?)";
    }
    std::string location = file_;
    if (value.source().begin.line > 0) location += ":" + std::to_string(value.source().begin.line);
    return usage_error(location + ": " + section_ + ": " + message);
  }
  return {};
}

}  // namespace dbkeep::core
