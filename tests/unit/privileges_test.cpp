// source::mysql::privileges_needed and grant_statement: what each method asks of the backup
// user, in MariaDB's and MySQL 8's names (MySQL has no server here: its names are tested as text).

#include "dbkeep/source/mysql/privileges.hpp"

#include <gtest/gtest.h>

namespace dbkeep::source::mysql {
namespace {

ServerVersion mariadb() {
  return {Flavor::kMariaDb, "10.11.6-MariaDB", 101106};
}
ServerVersion mysql8() {
  return {Flavor::kMySql, "8.0.36", 80036};
}

std::vector<PrivilegeNeed> required(const MethodPrivilegeOptions& options) {
  std::vector<PrivilegeNeed> needs;
  for (const auto& need : privileges_needed(options)) {
    if (need.required) needs.push_back(need);
  }
  return needs;
}

TEST(PrivilegesTest, EachMethodAsksForWhatTheDocsList) {
  const std::string grantee = "'backup'@'localhost'";
  EXPECT_EQ(grant_statement(required({.method = core::Method::kLogical}), mariadb(), grantee),
            "GRANT RELOAD, PROCESS, SELECT, SHOW VIEW, TRIGGER, EVENT, BINLOG MONITOR ON *.* TO "
            "'backup'@'localhost';");
  EXPECT_EQ(grant_statement(required({.method = core::Method::kSnapshot}), mariadb(), grantee),
            "GRANT RELOAD, PROCESS, BINLOG MONITOR ON *.* TO 'backup'@'localhost';");
  EXPECT_EQ(grant_statement(required({.method = core::Method::kPhysical}), mariadb(), grantee),
            "GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SELECT ON *.* TO "
            "'backup'@'localhost';");
  EXPECT_TRUE(privileges_needed({.method = core::Method::kOnline}).empty());
}

TEST(PrivilegesTest, MysqlNamesAreUsedOnMysqlAndNamedOnce) {
  const std::string grantee = "'backup'@'%'";
  EXPECT_EQ(grant_statement(required({.method = core::Method::kPhysical}), mysql8(), grantee),
            "GRANT RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT, SELECT, BACKUP_ADMIN ON *.* "
            "TO 'backup'@'%';");
  // The replica status and the position both need REPLICATION CLIENT on MySQL.
  EXPECT_EQ(grant_statement(
                privileges_needed({.method = core::Method::kSnapshot, .kills_long_queries = true}),
                mysql8(), grantee),
            "GRANT RELOAD, PROCESS, REPLICATION CLIENT, CONNECTION_ADMIN ON *.* TO 'backup'@'%';");
}

TEST(PrivilegesTest, OptionsChangeWhatIsRequired) {
  auto unlocked = required({.method = core::Method::kLogical, .global_lock = false});
  EXPECT_EQ(describe_privileges(unlocked, mariadb()).find("RELOAD"), std::string::npos);
  auto killing = required({.method = core::Method::kSnapshot, .kills_long_queries = true});
  EXPECT_NE(describe_privileges(killing, mariadb()).find("CONNECTION ADMIN (long_query_action"),
            std::string::npos);
  auto physical = required({.method = core::Method::kPhysical, .kills_long_queries = true});
  EXPECT_EQ(describe_privileges(physical, mariadb()).find("CONNECTION ADMIN"), std::string::npos);
  for (const auto& need : privileges_needed({.method = core::Method::kSnapshot})) {
    if (need.mariadb == "SLAVE MONITOR") {
      EXPECT_FALSE(need.required);
    }
  }
}

}  // namespace
}  // namespace dbkeep::source::mysql
