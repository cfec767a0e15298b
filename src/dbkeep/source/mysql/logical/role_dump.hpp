#pragma once
// MariaDB roles, for `include_users = true`: `CREATE ROLE` for every role (mysql.user
// is_role = 'Y', except the built-in PUBLIC), each role's own privileges (from its
// `SHOW GRANTS`, without the privileges it inherits from roles granted to it), and every
// grant of a role to a dumped account or to a role (mysql.roles_mapping, WITH ADMIN OPTION
// kept). Grants to and from the system accounts (root, mysql, mariadb.sys), anonymous
// accounts and PUBLIC are left out: the target server has its own.

#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::source::mysql::logical {

struct RolesDump {
  std::string creates;             // "CREATE ROLE `r`;\n"…: before anything names a role
  std::string grants;              // the roles' privileges, then "GRANT `r` TO …;\n"…
  std::vector<std::string> roles;  // role names
};

Result<RolesDump> dump_roles(Connection& connection);

}  // namespace dbkeep::source::mysql::logical
