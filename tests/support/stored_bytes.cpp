#include "support/stored_bytes.hpp"

#include <fstream>
#include <functional>
#include <sstream>

namespace dbkeep::test {
namespace fs = std::filesystem;
namespace {

std::string content(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

template <typename Visit>
void for_each_file(const fs::path& root, Visit visit) {
  if (!fs::exists(root)) return;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) visit(entry.path(), fs::relative(entry.path(), root).string());
  }
}

}  // namespace

std::vector<std::string> files_containing(const fs::path& root, std::string_view fragment) {
  std::vector<std::string> found;
  for_each_file(root, [&](const fs::path& path, const std::string& relative) {
    if (content(path).find(fragment) != std::string::npos) found.push_back(relative);
  });
  return found;
}

std::map<std::string, std::size_t> content_fingerprint(const fs::path& root) {
  std::map<std::string, std::size_t> out;
  for_each_file(root, [&](const fs::path& path, const std::string& relative) {
    out[relative] = std::hash<std::string>{}(content(path));
  });
  return out;
}

std::size_t file_count(const fs::path& root) {
  std::size_t count = 0;
  for_each_file(root, [&](const fs::path&, const std::string&) { ++count; });
  return count;
}

}  // namespace dbkeep::test
