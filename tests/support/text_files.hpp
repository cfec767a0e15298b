#pragma once
// Reading files and searching text in test assertions.

#include <filesystem>
#include <string>
#include <string_view>

namespace dbkeep::test {

// The whole file as bytes; "" when it cannot be read.
std::string read_file(const std::filesystem::path& path);

inline bool contains(std::string_view text, std::string_view fragment) {
  return text.find(fragment) != std::string_view::npos;
}

}  // namespace dbkeep::test
