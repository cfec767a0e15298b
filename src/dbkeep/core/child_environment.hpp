#pragma once
// The environment a child process gets: ours without the variables that carry secrets dbkeep
// reads (DBKEEP_*_PASSWORD, DBKEEP_PASSPHRASE, DBKEEP_NEW_PASSPHRASE, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, MYSQL_PWD). A secret handed to dbkeep stays in dbkeep: tools, hooks and
// restored servers get credentials through 0600 files or not at all.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dbkeep::core {

bool is_secret_variable(std::string_view name);
// "NAME=value" strings: our environment minus secret variables, with `extra` added or replacing.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra = {});

}  // namespace dbkeep::core
