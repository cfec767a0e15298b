#include "dbkeep/source/mysql/logical/user_dump.hpp"

#include "dbkeep/source/mysql/logical/role_dump.hpp"

namespace dbkeep::source::mysql::logical {
namespace {

std::string account_literal(Connection& connection, const std::string& user,
                            const std::string& host) {
  return "'" + connection.escape_string(user) + "'@'" + connection.escape_string(host) + "'";
}

// "GRANT `role` TO `u`@`h`": a role grant (dump_roles writes those, after the roles exist).
bool grants_a_role(const std::string& statement) {
  return statement.starts_with("GRANT `") && statement.find(" ON ") == std::string::npos;
}

}  // namespace

Result<UsersDump> dump_users(Connection& connection) {
  TRY_ASSIGN(auto accounts,
             connection.query("SELECT User, Host FROM mysql.user WHERE is_role = 'N' AND User "
                              "NOT IN ('', 'root', 'mysql', 'mariadb.sys') ORDER BY User, Host"));
  UsersDump out;
  std::string default_roles;  // "SET DEFAULT ROLE `r` FOR `u`@`h`": after the role grants
  for (const auto& row : accounts.rows) {
    const std::string user = row.at(0).value_or("");
    const std::string host = row.at(1).value_or("");
    const std::string account = account_literal(connection, user, host);
    auto created = connection.query_single_value("SHOW CREATE USER " + account);
    if (!created || !*created) {
      return fail("reading account '" + user + "'@'" + host + "' (SHOW CREATE USER) failed");
    }
    out.script += **created + ";\n";
    auto grants = connection.query("SHOW GRANTS FOR " + account);
    if (!grants) return fail("reading the grants of '" + user + "'@'" + host + "' failed");
    for (const auto& grant : grants->rows) {
      const std::string statement = grant.at(0).value_or("");
      if (statement.empty() || grants_a_role(statement)) continue;
      if (statement.starts_with("SET DEFAULT ROLE ")) {
        default_roles += statement + ";\n";
        continue;
      }
      out.script += statement + ";\n";
    }
    out.accounts.emplace_back(user, host);
  }
  TRY_ASSIGN(auto roles, dump_roles(connection));
  out.script = roles.creates + out.script + roles.grants + default_roles;
  out.roles = std::move(roles.roles);
  return out;
}

}  // namespace dbkeep::source::mysql::logical
