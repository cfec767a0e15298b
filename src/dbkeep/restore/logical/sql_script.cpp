#include "dbkeep/restore/logical/sql_script.hpp"

#include <cctype>

namespace dbkeep::restore::logical {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

bool at_line_start(std::string_view script, std::size_t i) {
  return i == 0 || script[i - 1] == '\n';
}

// "DELIMITER x" at a line start: sets `delimiter` and returns the position after the line.
std::size_t delimiter_command(std::string_view script, std::size_t i, std::string& delimiter) {
  constexpr std::string_view kCommand = "DELIMITER ";
  if (!at_line_start(script, i) || script.substr(i, kCommand.size()) != kCommand) return i;
  std::size_t end = script.find('\n', i);
  if (end == std::string_view::npos) end = script.size();
  auto value = trim(script.substr(i + kCommand.size(), end - i - kCommand.size()));
  if (value.empty()) return i;
  delimiter = std::string(value);
  return end;
}

}  // namespace

Result<std::vector<std::string>> split_sql_script(std::string_view script) {
  std::vector<std::string> statements;
  std::string delimiter = ";";
  std::size_t start = 0;
  std::size_t i = 0;
  auto emit = [&](std::size_t end) {
    auto statement = trim(script.substr(start, end - start));
    if (!statement.empty()) statements.emplace_back(statement);
  };
  while (i < script.size()) {
    const char c = script[i];
    if (trim(script.substr(start, i - start)).empty()) {
      std::size_t after = delimiter_command(script, i, delimiter);
      if (after != i) {
        i = start = after;
        continue;
      }
    }
    if (c == '\'' || c == '"' || c == '`') {
      std::size_t j = i + 1;
      for (; j < script.size(); ++j) {
        if (script[j] == '\\' && c != '`') {
          ++j;
        } else if (script[j] == c) {
          if (j + 1 < script.size() && script[j + 1] == c) {
            ++j;
          } else {
            break;
          }
        }
      }
      if (j >= script.size()) return fail("SQL script ends inside a quoted string");
      i = j + 1;
    } else if (c == '#' || (c == '-' && script.substr(i, 3) == "-- ")) {
      std::size_t end = script.find('\n', i);
      i = end == std::string_view::npos ? script.size() : end + 1;
    } else if (c == '/' && script.substr(i, 2) == "/*") {
      std::size_t end = script.find("*/", i + 2);
      if (end == std::string_view::npos) return fail("SQL script ends inside a /* comment */");
      i = end + 2;
    } else if (script.substr(i, delimiter.size()) == delimiter) {
      emit(i);
      i += delimiter.size();
      start = i;
    } else {
      ++i;
    }
  }
  emit(script.size());
  return statements;
}

}  // namespace dbkeep::restore::logical
