#pragma once
// Accounts and their grants, for `include_users = true`: per account the server's own
// `SHOW CREATE USER` (authentication as stored: `IDENTIFIED BY PASSWORD '<hash>'`,
// `IDENTIFIED VIA unix_socket`, …) and `SHOW GRANTS` statements. The text holds password
// hashes: it is stored like every other file (compressed, encrypted when the repository is),
// and must never be logged or put in an error message.
//
// Roles come with them (role_dump.hpp). The script creates the roles first, then the accounts
// with their privileges, then the roles' privileges and the grants of roles, and last each
// account's default role (`SET DEFAULT ROLE`), which needs its role granted.
//
// Not dumped: the accounts with an empty user name and the system accounts root, mysql and
// mariadb.sys, which every server has its own of.

#include <string>
#include <utility>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::source::mysql::logical {

struct UsersDump {
  std::string script;                                         // "CREATE USER …;\nGRANT …;\n"…
  std::vector<std::pair<std::string, std::string>> accounts;  // (user, host)
  std::vector<std::string> roles;
};

Result<UsersDump> dump_users(Connection& connection);

}  // namespace dbkeep::source::mysql::logical
