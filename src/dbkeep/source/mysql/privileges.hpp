#pragma once
// The privileges each MySQL method needs from its backup user, and which of them the connected
// user lacks, with the GRANT statement that adds them (check-config, docs/*.md "The backup user").
//
// Only global grants and schema-level grants are seen (information_schema.USER_PRIVILEGES and
// SCHEMA_PRIVILEGES for CURRENT_USER()); privileges that reach the user only through a role are
// not, and would be reported missing.

#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/method.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"

namespace dbkeep::source::mysql {

struct PrivilegeNeed {
  std::string_view mariadb;  // the name in GRANT on MariaDB 10.5+
  std::string_view mysql;    // on MySQL 8
  std::string_view purpose;  // what dbkeep does with it, for messages
  // false: the backup works without it (the purpose says what is lost, e.g. a replica's
  // source position); check-config mentions it without failing.
  bool required = true;
  bool super_suffices = false;         // the server also accepts SUPER for it
  bool schema_level_suffices = false;  // granted on the schemas (SELECT, SHOW VIEW, …) will do
};

struct MethodPrivilegeOptions {
  core::Method method = core::Method::kLogical;
  bool global_lock = true;          // lock != "none" (logical only)
  bool kills_long_queries = false;  // long_query_action = "kill"
  bool archives_binlog = false;     // [set.archive] enabled: the archiver's replication client
};

std::vector<PrivilegeNeed> privileges_needed(const MethodPrivilegeOptions& options);

struct PrivilegeReport {
  std::string grantee;  // 'user'@'host', quoted as GRANT takes it
  std::vector<PrivilegeNeed> missing_required;
  std::vector<PrivilegeNeed> missing_optional;
};

// Reads what CURRENT_USER() holds and compares it with `needs`.
Result<PrivilegeReport> check_privileges(Connection& connection, const ServerVersion& version,
                                         const std::vector<PrivilegeNeed>& needs);

// "GRANT RELOAD, BINLOG MONITOR ON *.* TO 'backup'@'localhost';" in the server's names.
std::string grant_statement(const std::vector<PrivilegeNeed>& privileges,
                            const ServerVersion& version, const std::string& grantee);

// "RELOAD (the global lock), BINLOG MONITOR (the binary log position)".
std::string describe_privileges(const std::vector<PrivilegeNeed>& privileges,
                                const ServerVersion& version);

}  // namespace dbkeep::source::mysql
