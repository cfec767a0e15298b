#include "dbkeep/core/executable_path.hpp"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace dbkeep::core {

std::vector<std::filesystem::path> search_path() {
  const char* path = std::getenv("PATH");
  std::stringstream entries(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::vector<std::filesystem::path> directories;
  for (std::string entry; std::getline(entries, entry, ':');) {
    if (!entry.empty()) directories.emplace_back(entry);
  }
  return directories;
}

std::optional<std::filesystem::path> find_executable(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return std::filesystem::path(name);
    return std::nullopt;
  }
  for (const auto& directory : search_path()) {
    auto candidate = directory / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) {
      return candidate;
    }
  }
  return std::nullopt;
}

}  // namespace dbkeep::core
