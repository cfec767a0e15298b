#include "dbkeep/storage/key.hpp"

#include <string>

namespace dbkeep::storage {
namespace {

// Checks every '/'-separated component of `text`; `allow_trailing_slash` accepts a final
// empty component (a prefix naming a directory).
Result<void> check_components(std::string_view text, bool allow_trailing_slash) {
  if (text.find('\0') != std::string_view::npos) {
    return usage_error("invalid key \"" + std::string(text) + "\": contains a NUL byte");
  }
  if (text.starts_with('/')) {
    return usage_error("invalid key \"" + std::string(text) + "\": must be relative");
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view component = rest.substr(0, slash);
    bool last = slash == std::string_view::npos;
    if (component.empty() && !(last && allow_trailing_slash)) {
      return usage_error("invalid key \"" + std::string(text) + "\": empty path component");
    }
    if (component == "." || component == "..") {
      return usage_error("invalid key \"" + std::string(text) + "\": \"" + std::string(component) +
                         "\" is not allowed");
    }
    if (last) break;
    rest.remove_prefix(slash + 1);
  }
  return {};
}

}  // namespace

Result<void> check_key(std::string_view key) {
  if (key.empty()) return usage_error("invalid key: empty");
  if (key.ends_with('/')) {
    return usage_error("invalid key \"" + std::string(key) + "\": ends with '/'");
  }
  return check_components(key, false);
}

Result<void> check_prefix(std::string_view prefix) {
  return check_components(prefix, true);
}

}  // namespace dbkeep::storage
