#include "dbkeep/source/mysql/option_file.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/text.hpp"

namespace dbkeep::source::mysql {
namespace {

std::string normalize_key(std::string key) {
  std::ranges::replace(key, '-', '_');
  return key;
}

// Returns the unquoted value, or nullopt when a quote is not closed.
std::optional<std::string> parse_value(std::string_view raw) {
  std::string text = core::trim(raw);
  if (text.empty() || (text[0] != '"' && text[0] != '\'')) {
    // Unquoted: a comment starts at " #" (the mysql client allows '#' inside words).
    auto hash = text.find(" #");
    return core::trim(text.substr(0, hash));
  }
  const char quote = text[0];
  std::string out;
  for (std::size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == quote) return out;
    if (c == '\\' && quote == '"' && i + 1 < text.size()) {
      char next = text[++i];
      out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
      continue;
    }
    out += c;
  }
  return std::nullopt;
}

Result<void> apply(ClientOptionValues& values, const std::string& key, std::string value,
                   const std::string& where) {
  if (key == "user") {
    values.user = std::move(value);
  } else if (key == "password") {
    log::register_secret(value);
    values.password = std::move(value);
  } else if (key == "socket") {
    values.socket = std::move(value);
  } else if (key == "host") {
    values.host = std::move(value);
  } else if (key == "port") {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
    if (ec != std::errc() || end != value.data() + value.size() || port == 0 || port > 65535) {
      return usage_error(where + ": port must be a number from 1 to 65535, got '" + value + "'");
    }
    values.port = port;
  }
  return {};
}

}  // namespace

Result<ClientOptionValues> read_client_option_file(const std::filesystem::path& path,
                                                   const std::vector<std::string>& groups) {
  std::ifstream in(path);
  if (!in) return fail(errno_message("cannot read MySQL option file " + path.string(), errno));

  // Collect each group's values separately, then merge in the caller's group order.
  std::vector<ClientOptionValues> per_group(groups.size());
  std::optional<std::size_t> current;  // index into groups, or none for a group we skip
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = path.string() + ":" + std::to_string(number);
    std::string text = core::trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text[0] == '!') {
      return usage_error(where + ": '" + text.substr(0, text.find(' ')) +
                         "' is not supported by dbkeep; put the settings in this file");
    }
    if (text[0] == '[') {
      if (text.back() != ']') return usage_error(where + ": group header without ']'");
      auto name = core::trim(std::string_view(text).substr(1, text.size() - 2));
      auto found = std::ranges::find(groups, name);
      current = found == groups.end()
                    ? std::nullopt
                    : std::optional<std::size_t>(std::distance(groups.begin(), found));
      continue;
    }
    if (!current) continue;
    auto equals = text.find('=');
    std::string key = normalize_key(core::trim(std::string_view(text).substr(0, equals)));
    if (equals == std::string::npos) continue;  // flags like "skip-ssl" carry no value we use
    auto value = parse_value(std::string_view(text).substr(equals + 1));
    if (!value) return usage_error(where + ": value of '" + key + "' has an unclosed quote");
    TRY(apply(per_group[*current], key, std::move(*value), where));
  }

  ClientOptionValues merged;
  for (auto& group : per_group) {
    if (group.user) merged.user = std::move(group.user);
    if (group.password) merged.password = std::move(group.password);
    if (group.socket) merged.socket = std::move(group.socket);
    if (group.host) merged.host = std::move(group.host);
    if (group.port) merged.port = group.port;
  }
  return merged;
}

}  // namespace dbkeep::source::mysql
