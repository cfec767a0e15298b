#pragma once
// Accounts and their grants, for `include_users = true`: per account the server's own
// `SHOW CREATE USER` (authentication as stored: `IDENTIFIED BY PASSWORD '<hash>'`,
// `IDENTIFIED VIA unix_socket`, …) and `SHOW GRANTS` statements. The text holds password
// hashes: it is stored like every other file (compressed, encrypted when the repository is),
// and must never be logged or put in an error message.
//
// Not dumped: roles (and grants of roles), the accounts with an empty user name, and the
// system accounts root, mysql and mariadb.sys, which every server has its own of.

#include <string>
#include <utility>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::source::mysql::logical {

struct UsersDump {
  std::string script;                                         // "CREATE USER …;\nGRANT …;\n"…
  std::vector<std::pair<std::string, std::string>> accounts;  // (user, host)
};

Result<UsersDump> dump_users(Connection& connection);

}  // namespace dbkeep::source::mysql::logical
