#pragma once
// Loading the accounts, roles and grants of a logical backup (users.sql, `include_users =
// true`), only with `restore --to-server --with-users`, after everything else (a table-level
// GRANT needs its table). Accounts and roles that exist on the target are refused before the
// load changes anything, unless `replace` (--drop-existing, or a resumed load that may have
// created some of them): then `CREATE USER`/`CREATE ROLE` become `CREATE OR REPLACE …`. Grants
// name schemas as they were in the source (--rename-schema does not rewrite them).
//
// The file holds password hashes: no statement of it ever goes into a message or the log.

#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::restore::logical {

// Fails naming the accounts and roles of `users_file` that already exist on the target.
Result<void> refuse_existing_accounts(source::mysql::Connection& connection,
                                      const repo::ManifestFile& users_file);

// The statements of the users script, without terminators; `replace` turns CREATE USER/ROLE
// into CREATE OR REPLACE USER/ROLE. An incomplete script is an error that quotes none of it.
Result<std::vector<std::string>> users_statements(const std::string& script, bool replace);

// True for a statement of users_statements() that creates an account (not a role).
bool creates_account(const std::string& statement);

// Runs the users script; `replace` turns CREATE USER/ROLE into CREATE OR REPLACE USER/ROLE.
// Returns the number of accounts created (roles not counted).
Result<std::size_t> load_users(source::mysql::Connection& connection, const std::string& script,
                               bool replace);

}  // namespace dbkeep::restore::logical
