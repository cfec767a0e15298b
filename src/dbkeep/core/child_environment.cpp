#include "dbkeep/core/child_environment.hpp"

extern char** environ;

namespace dbkeep::core {

bool is_secret_variable(std::string_view name) {
  for (std::string_view secret : {"DBKEEP_PASSPHRASE", "DBKEEP_NEW_PASSPHRASE",
                                  "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "MYSQL_PWD"}) {
    if (name == secret) return true;
  }
  return name.starts_with("DBKEEP_") && name.ends_with("_PASSWORD");
}

std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    auto name = text.substr(0, text.find('='));
    if (!extra.contains(std::string(name)) && !is_secret_variable(name)) env.emplace_back(text);
  }
  for (const auto& [name, value] : extra) env.push_back(name + "=" + value);
  return env;
}

}  // namespace dbkeep::core
