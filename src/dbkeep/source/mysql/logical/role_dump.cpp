#include "dbkeep/source/mysql/logical/role_dump.hpp"

#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::source::mysql::logical {
namespace {

// A statement of `SHOW GRANTS FOR role` that grants a privilege to the role itself: not a
// role grant (no " ON "), not a privilege of a role granted to it (another grantee).
bool own_privilege(const std::string& statement, const std::string& quoted_role) {
  if (!statement.starts_with("GRANT ") || statement.find(" ON ") == std::string::npos) {
    return false;
  }
  const std::string grantee = " TO " + quoted_role;
  return statement.ends_with(grantee) || statement.find(grantee + " WITH ") != std::string::npos;
}

Result<void> dump_role_privileges(Connection& connection, const std::string& role,
                                  std::string& out) {
  const std::string quoted = quote_identifier(role);
  auto grants = connection.query("SHOW GRANTS FOR " + quoted);
  if (!grants) return fail("reading the grants of role " + quoted + " failed");
  for (const auto& grant : grants->rows) {
    const std::string statement = grant.at(0).value_or("");
    if (own_privilege(statement, quoted)) out += statement + ";\n";
  }
  return {};
}

}  // namespace

Result<RolesDump> dump_roles(Connection& connection) {
  RolesDump out;
  TRY_ASSIGN(auto roles, connection.query("SELECT User FROM mysql.user WHERE is_role = 'Y' AND "
                                          "User <> 'PUBLIC' ORDER BY User"));
  for (const auto& row : roles.rows) {
    const std::string role = row.at(0).value_or("");
    out.creates += "CREATE ROLE " + quote_identifier(role) + ";\n";
    TRY(dump_role_privileges(connection, role, out.grants));
    out.roles.push_back(role);
  }
  // A grantee is a role when mysql.user lists it as one (a role's Host is '').
  TRY_ASSIGN(
      auto mappings,
      connection.query("SELECT m.Role, m.User, m.Host, m.Admin_option, "
                       "COALESCE(u.is_role, 'N') FROM mysql.roles_mapping m LEFT JOIN "
                       "mysql.user u ON u.User = m.User AND u.Host = m.Host WHERE m.Role <> "
                       "'PUBLIC' AND m.User NOT IN ('', 'root', 'mysql', 'mariadb.sys') AND NOT "
                       "(m.User = 'PUBLIC' AND m.Host = '') ORDER BY m.Role, m.User, m.Host"));
  for (const auto& row : mappings.rows) {
    const std::string grantee_user = row.at(1).value_or("");
    const std::string grantee = row.at(4).value_or("N") == "Y"
                                    ? quote_identifier(grantee_user)
                                    : "'" + connection.escape_string(grantee_user) + "'@'" +
                                          connection.escape_string(row.at(2).value_or("")) + "'";
    out.grants += "GRANT " + quote_identifier(row.at(0).value_or("")) + " TO " + grantee +
                  (row.at(3).value_or("N") == "Y" ? " WITH ADMIN OPTION" : "") + ";\n";
  }
  return out;
}

}  // namespace dbkeep::source::mysql::logical
