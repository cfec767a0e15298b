#pragma once
// Small text helpers shared by the parsers of option files, tool output and answers.

#include <string>
#include <string_view>

namespace dbkeep::core {

// `text` without leading and trailing `blanks`.
inline std::string trim(std::string_view text, std::string_view blanks = " \t\r\n") {
  const auto first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(blanks);
  return std::string(text.substr(first, last - first + 1));
}

}  // namespace dbkeep::core
