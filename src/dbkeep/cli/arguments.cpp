#include "dbkeep/cli/arguments.hpp"

#include <algorithm>

namespace dbkeep::cli {

bool Arguments::flag(std::string_view name) {
  auto it = std::find(args_.begin(), args_.end(), name);
  if (it == args_.end()) return false;
  args_.erase(it);
  return true;
}

Result<std::optional<std::string>> Arguments::option(std::string_view name) {
  std::string prefix = std::string(name) + "=";
  for (auto it = args_.begin(); it != args_.end(); ++it) {
    if (*it == name) {
      if (std::next(it) == args_.end()) {
        return usage_error("option " + std::string(name) + " needs a value");
      }
      std::string value = *std::next(it);
      args_.erase(it, std::next(it, 2));
      return value;
    }
    if (it->starts_with(prefix)) {
      std::string value = it->substr(prefix.size());
      args_.erase(it);
      if (value.empty()) return usage_error("option " + std::string(name) + " needs a value");
      return value;
    }
  }
  return std::optional<std::string>{};
}

std::vector<std::string> Arguments::positionals() {
  std::vector<std::string> out;
  auto it = args_.begin();
  while (it != args_.end()) {
    if (it->starts_with("-") && *it != "-") {
      ++it;
    } else {
      out.push_back(*it);
      it = args_.erase(it);
    }
  }
  return out;
}

Result<void> Arguments::expect_empty(std::string_view command) const {
  if (args_.empty()) return {};
  const std::string& first = args_.front();
  std::string what = first.starts_with("-") ? "unknown option '" + first + "'"
                                            : "unexpected argument '" + first + "'";
  return usage_error(what + " for 'dbkeep " + std::string(command) + "' (see dbkeep " +
                     std::string(command) + " --help)");
}

}  // namespace dbkeep::cli
