// Connection against a real MariaDB: success, the two failures users hit most (wrong password,
// wrong socket) with messages that say what to fix, option files, and values round-tripping.

#include <gtest/gtest.h>

#include <fstream>

#include "dbkeep/core/log.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::source::mysql {
namespace {

class MysqlConnectionTest : public test::MariaDbTestSuite {};

TEST_F(MysqlConnectionTest, ConnectsAsRootAndReportsThreadId) {
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto id = connection->query_single_value("SELECT CONNECTION_ID()");
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, std::to_string(connection->thread_id()));
  EXPECT_EQ(connection->query_single_value("SELECT @@character_set_client").value(), "utf8mb4");
}

TEST_F(MysqlConnectionTest, WrongPasswordSaysAccessDenied) {
  server().create_user("backup", "right-secret-1");
  auto connection = Connection::connect(server().options_for("backup", "wrong-secret-2"));
  ASSERT_FALSE(connection);
  const auto& message = connection.error().message;
  EXPECT_NE(message.find("access denied for user 'backup'"), std::string::npos) << message;
  EXPECT_NE(message.find("wrong user or password?"), std::string::npos) << message;
  EXPECT_NE(message.find(server().socket().string()), std::string::npos) << message;
  EXPECT_EQ(message.find("wrong-secret-2"), std::string::npos) << message;
}

TEST_F(MysqlConnectionTest, MissingSocketSaysNoSuchFile) {
  ConnectionOptions options = server().root_options();
  options.socket = "/nonexistent/dbkeep/mysqld.sock";
  auto connection = Connection::connect(options);
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().message,
            "cannot connect to MySQL at socket /nonexistent/dbkeep/mysqld.sock: no such file "
            "(is the server running, and is the socket path right?)");
}

TEST_F(MysqlConnectionTest, ConnectsOverTcpWithPassword) {
  server().create_user("tcpuser", "tcp-secret-3");
  ConnectionOptions options;
  options.host = "127.0.0.1";
  options.port = server().port();
  options.user = "tcpuser";
  options.password = "tcp-secret-3";
  auto connection = Connection::connect(options);
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->endpoint(), "host 127.0.0.1:" + std::to_string(server().port()));
  // A TCP session's processlist host carries the client port ("localhost:51234").
  auto host = connection->query_single_value(
      "SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()");
  ASSERT_TRUE(host && *host) << (host ? "NULL" : host.error().message);
  EXPECT_NE(host->value().find(':'), std::string::npos) << host->value();
}

TEST_F(MysqlConnectionTest, ReadsUserAndPasswordFromOptionFile) {
  server().create_user("fileuser", "file-secret-4");
  const auto scratch = test::make_temp_dir();
  const auto path = scratch.path() / "my.cnf";
  {
    std::ofstream file(path);
    file
        << "[mysql]\nuser = someone-else\n[client]\nuser = fileuser\npassword = \"file-secret-4\"\n"
        << "socket = " << server().socket().string() << "\n";
  }
  ConnectionOptions options;
  options.option_file = path;
  auto connection = Connection::connect(options);
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_EQ(connection->query_single_value("SELECT CURRENT_USER()").value(), "fileuser@localhost");
  EXPECT_EQ(log::redact("pw file-secret-4"), "pw ***");
}

TEST_F(MysqlConnectionTest, QueryReturnsColumnsRowsAndNulls) {
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto result = connection->query("SELECT 1 AS one, NULL AS nothing, 'it''s' AS text");
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->columns, (std::vector<std::string>{"one", "nothing", "text"}));
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->value(0, "ONE"), "1");
  EXPECT_EQ(result->value(0, "nothing"), std::nullopt);
  EXPECT_EQ(result->value(0, "text"), "it's");
}

TEST_F(MysqlConnectionTest, EscapedStringRoundTrips) {
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  const std::string tricky = "a'b\"c\\d\nе€😀";
  auto value = connection->query_single_value("SELECT '" + connection->escape_string(tricky) + "'");
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_EQ(*value, tricky);
}

TEST_F(MysqlConnectionTest, FailedQueryNamesServerErrorAndNumber) {
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto result = connection->execute("SELECT * FROM no_such_db.no_such_table");
  ASSERT_FALSE(result);
  EXPECT_EQ(connection->last_error_number(), 1146u);
  EXPECT_NE(result.error().message.find("no_such_table"), std::string::npos);
  connection->close();
  EXPECT_FALSE(connection->execute("SELECT 1"));
}

}  // namespace
}  // namespace dbkeep::source::mysql
