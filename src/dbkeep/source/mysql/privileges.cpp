#include "dbkeep/source/mysql/privileges.hpp"

#include <algorithm>
#include <set>

namespace dbkeep::source::mysql {
namespace {

std::string_view name_on(const PrivilegeNeed& need, const ServerVersion& version) {
  return version.flavor == Flavor::kMariaDb ? need.mariadb : need.mysql;
}

// CURRENT_USER() is "user@host"; the user part may itself hold '@', the host never does.
std::string quoted_grantee(const std::string& current_user) {
  const auto at = current_user.rfind('@');
  const std::string user = current_user.substr(0, at);
  const std::string host = at == std::string::npos ? "%" : current_user.substr(at + 1);
  return "'" + user + "'@'" + host + "'";
}

}  // namespace

std::vector<PrivilegeNeed> privileges_needed(const MethodPrivilegeOptions& options) {
  const PrivilegeNeed reload{"RELOAD", "RELOAD", "the global lock"};
  const PrivilegeNeed process{"PROCESS", "PROCESS",
                              "the long-query check and the server's tablespaces"};
  const PrivilegeNeed binlog{"BINLOG MONITOR", "REPLICATION CLIENT", "the binary log position"};
  const PrivilegeNeed replica{"SLAVE MONITOR", "REPLICATION CLIENT",
                              "a replica's source position; only needed on a replica", false, true};
  const PrivilegeNeed kill{"CONNECTION ADMIN", "CONNECTION_ADMIN", "long_query_action = \"kill\"",
                           true, true};
  auto on_schemas = [](std::string_view name, std::string_view purpose) {
    return PrivilegeNeed{name, name, purpose, true, false, true};
  };

  std::vector<PrivilegeNeed> needs;
  switch (options.method) {
    case core::Method::kLogical:
      if (options.global_lock) needs.push_back(reload);
      needs.push_back(process);
      needs.push_back(on_schemas("SELECT", "reading the tables"));
      needs.push_back(on_schemas("SHOW VIEW", "views"));
      needs.push_back(on_schemas("TRIGGER", "triggers"));
      needs.push_back(on_schemas("EVENT", "events"));
      needs.push_back(binlog);
      needs.push_back(replica);
      break;
    case core::Method::kSnapshot:
      needs.push_back(reload);
      needs.push_back(process);
      needs.push_back(binlog);
      needs.push_back(replica);
      break;
    case core::Method::kPhysical:
      needs.push_back(reload);
      needs.push_back(process);
      needs.push_back({"LOCK TABLES", "LOCK TABLES", "the backup tool's locks"});
      needs.push_back(binlog);
      needs.push_back(on_schemas("SELECT", "the size estimate"));
      needs.push_back({"", "BACKUP_ADMIN", "xtrabackup's LOCK INSTANCE FOR BACKUP"});
      needs.push_back(replica);
      break;
    case core::Method::kOnline:  // SQLite: no server
      return {};
  }
  if (options.archives_binlog) {
    needs.push_back(
        {"REPLICATION SLAVE", "REPLICATION SLAVE", "reading the binary log for [set.archive]"});
    if (std::ranges::none_of(
            needs, [](const PrivilegeNeed& need) { return need.mariadb == "BINLOG MONITOR"; })) {
      needs.push_back(binlog);
    }
  }
  // The physical method leaves locking to its tool and never kills a query itself.
  if (options.kills_long_queries && options.method != core::Method::kPhysical) {
    needs.push_back(kill);
  }
  return needs;
}

Result<PrivilegeReport> check_privileges(Connection& connection, const ServerVersion& version,
                                         const std::vector<PrivilegeNeed>& needs) {
  TRY_ASSIGN(auto current_user, connection.query_single_value("SELECT CURRENT_USER()"));
  PrivilegeReport report;
  report.grantee = quoted_grantee(current_user.value_or(""));
  const std::string grantee = connection.escape_string(report.grantee);
  auto privileges_in = [&](std::string_view table) -> Result<std::set<std::string>> {
    TRY_ASSIGN(auto rows,
               connection.query("SELECT PRIVILEGE_TYPE FROM information_schema." +
                                std::string(table) + " WHERE GRANTEE = '" + grantee + "'"));
    std::set<std::string> names;
    for (const auto& row : rows.rows) {
      if (!row.empty() && row[0]) names.insert(*row[0]);
    }
    return names;
  };
  TRY_ASSIGN(const auto global, privileges_in("USER_PRIVILEGES"));
  TRY_ASSIGN(const auto on_schemas, privileges_in("SCHEMA_PRIVILEGES"));
  const bool super = global.contains("SUPER");
  for (const auto& need : needs) {
    const std::string name(name_on(need, version));
    if (name.empty()) continue;  // not a privilege on this flavor
    const bool held = global.contains(name) || (need.super_suffices && super) ||
                      (need.schema_level_suffices && on_schemas.contains(name));
    if (held) continue;
    (need.required ? report.missing_required : report.missing_optional).push_back(need);
  }
  return report;
}

std::string grant_statement(const std::vector<PrivilegeNeed>& privileges,
                            const ServerVersion& version, const std::string& grantee) {
  std::string names;
  std::set<std::string> seen;
  for (const auto& need : privileges) {
    const std::string name(name_on(need, version));
    if (name.empty() || seen.contains(name)) continue;  // MySQL: REPLICATION CLIENT twice
    seen.insert(name);
    names += (names.empty() ? "" : ", ") + name;
  }
  return "GRANT " + names + " ON *.* TO " + grantee + ";";
}

std::string describe_privileges(const std::vector<PrivilegeNeed>& privileges,
                                const ServerVersion& version) {
  std::string text;
  for (const auto& need : privileges) {
    text += (text.empty() ? "" : ", ") + std::string(name_on(need, version)) + " (" +
            std::string(need.purpose) + ")";
  }
  return text;
}

}  // namespace dbkeep::source::mysql
