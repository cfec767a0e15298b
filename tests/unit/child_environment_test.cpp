// Children never inherit the environment variables that carry dbkeep's secrets.

#include "dbkeep/core/child_environment.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>

namespace dbkeep::core {
namespace {

bool has_variable(const std::vector<std::string>& env, const std::string& name) {
  return std::any_of(env.begin(), env.end(),
                     [&](const std::string& entry) { return entry.starts_with(name + "="); });
}

TEST(ChildEnvironmentTest, SecretVariablesAreDropped) {
  ::setenv("DBKEEP_SET_MAIN_MYSQL_PASSWORD", "pw", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "s3", 1);
  ::setenv("DBKEEP_PASSPHRASE", "pp", 1);
  ::setenv("DBKEEP_SET_MAIN_COMPRESSION", "gzip", 1);
  auto env = child_environment({{"EXTRA", "1"}});
  ::unsetenv("DBKEEP_SET_MAIN_MYSQL_PASSWORD");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("DBKEEP_PASSPHRASE");
  ::unsetenv("DBKEEP_SET_MAIN_COMPRESSION");
  EXPECT_FALSE(has_variable(env, "DBKEEP_SET_MAIN_MYSQL_PASSWORD"));
  EXPECT_FALSE(has_variable(env, "AWS_SECRET_ACCESS_KEY"));
  EXPECT_FALSE(has_variable(env, "DBKEEP_PASSPHRASE"));
  EXPECT_TRUE(has_variable(env, "DBKEEP_SET_MAIN_COMPRESSION"));
  EXPECT_TRUE(has_variable(env, "EXTRA"));
  EXPECT_TRUE(has_variable(env, "PATH"));
}

TEST(ChildEnvironmentTest, NamesThatAreSecrets) {
  EXPECT_TRUE(is_secret_variable("DBKEEP_SET_X_MYSQL_PASSWORD"));
  EXPECT_TRUE(is_secret_variable("MYSQL_PWD"));
  EXPECT_TRUE(is_secret_variable("AWS_SESSION_TOKEN"));
  EXPECT_FALSE(is_secret_variable("AWS_ACCESS_KEY_ID"));
  EXPECT_FALSE(is_secret_variable("DBKEEP_SET_X_MYSQL_PASSWORD_FILE"));
}

}  // namespace
}  // namespace dbkeep::core
