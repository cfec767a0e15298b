#include "dbkeep/restore/logical/users_restore.hpp"

#include "dbkeep/restore/logical/sql_script.hpp"

namespace dbkeep::restore::logical {

namespace {

// Names of the backup's accounts ("'u'@'h'") and roles ("role `r`") that exist on the target.
Result<std::vector<std::string>> existing_on_target(source::mysql::Connection& connection,
                                                    const repo::ManifestFile& users_file) {
  std::vector<std::string> existing;
  auto accounts = users_file.attributes.find("accounts");
  if (accounts != users_file.attributes.end() && accounts->is_array()) {
    for (const auto& account : *accounts) {
      const std::string user = account.at(0).get<std::string>();
      const std::string host = account.at(1).get<std::string>();
      TRY_ASSIGN(auto found,
                 connection.query_single_value(
                     "SELECT 1 FROM mysql.user WHERE User = '" + connection.escape_string(user) +
                     "' AND Host = '" + connection.escape_string(host) + "' AND is_role = 'N'"));
      if (found) existing.push_back("'" + user + "'@'" + host + "'");
    }
  }
  auto roles = users_file.attributes.find("roles");
  if (roles != users_file.attributes.end() && roles->is_array()) {
    for (const auto& role : *roles) {
      const std::string name = role.get<std::string>();
      TRY_ASSIGN(auto found, connection.query_single_value(
                                 "SELECT 1 FROM mysql.user WHERE User = '" +
                                 connection.escape_string(name) + "' AND is_role = 'Y'"));
      if (found) existing.push_back("role `" + name + "`");
    }
  }
  return existing;
}

}  // namespace

Result<void> refuse_existing_accounts(source::mysql::Connection& connection,
                                      const repo::ManifestFile& users_file) {
  TRY_ASSIGN(auto existing, existing_on_target(connection, users_file));
  if (existing.empty()) return {};
  std::string named;
  for (std::size_t i = 0; i < existing.size() && i < 10; ++i) {
    named += (i > 0 ? ", " : "") + existing[i];
  }
  if (existing.size() > 10) named += " and " + std::to_string(existing.size() - 10) + " more";
  return fail("the target server already has " + std::to_string(existing.size()) +
              " account(s) or role(s) of this backup: " + named +
              "; nothing was changed. Use --drop-existing to replace them, or leave out "
              "--with-users");
}

Result<std::vector<std::string>> users_statements(const std::string& script, bool replace) {
  auto statements = split_sql_script(script);
  if (!statements) return fail("users.sql of the backup is not a complete SQL script");
  for (auto& statement : *statements) {
    if (!replace) break;
    if (statement.starts_with("CREATE USER ")) statement.replace(0, 12, "CREATE OR REPLACE USER ");
    if (statement.starts_with("CREATE ROLE ")) statement.replace(0, 12, "CREATE OR REPLACE ROLE ");
  }
  return statements;
}

bool creates_account(const std::string& statement) {
  return statement.starts_with("CREATE USER ") || statement.starts_with("CREATE OR REPLACE USER ");
}

Result<std::size_t> load_users(source::mysql::Connection& connection, const std::string& script,
                               bool replace) {
  TRY_ASSIGN(auto statements, users_statements(script, replace));
  std::size_t accounts = 0;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const std::string& statement = statements[i];
    if (!connection.execute(statement)) {
      // The server's message quotes the statement, which may hold a password hash.
      return fail("loading users and grants failed at statement " + std::to_string(i + 1) +
                  " of users.sql (server error " + std::to_string(connection.last_error_number()) +
                  "; the statement is not shown: it may hold a password hash)");
    }
    if (creates_account(statement)) ++accounts;
  }
  return accounts;
}

}  // namespace dbkeep::restore::logical
