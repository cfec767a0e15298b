#pragma once
// Base fixture for MariaDB integration suites: one server per suite (started in
// SetUpTestSuite, stopped in TearDownTestSuite), skipped visibly when MariaDB cannot run here.
//
//   class MysqlProbeTest : public dbkeep::test::MariaDbTestSuite {};
//   TEST_F(MysqlProbeTest, ...) { server().execute("..."); }

#include <gtest/gtest.h>

#include <iostream>
#include <memory>

#include "support/mariadb_server.hpp"

namespace dbkeep::test {

class MariaDbTestSuite : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    DBKEEP_SKIP_WITHOUT_MARIADB();
    auto started = MariaDbServer::start();
    if (!started) {
      start_error() = started.error().message;
      return;
    }
    server_slot() = std::move(*started);
    std::cerr << "[ mariadb  ] started in " << server_slot()->startup_time().count()
              << " ms, socket " << server_slot()->socket() << "\n";
  }
  static void TearDownTestSuite() {
    server_slot().reset();
    start_error().clear();
  }

 protected:
  void SetUp() override {
    DBKEEP_SKIP_WITHOUT_MARIADB();
    ASSERT_TRUE(server_slot()) << "MariaDB did not start: " << start_error();
  }
  static MariaDbServer& server() { return *server_slot(); }

 private:
  static std::unique_ptr<MariaDbServer>& server_slot() {
    static std::unique_ptr<MariaDbServer> server;
    return server;
  }
  static std::string& start_error() {
    static std::string error;
    return error;
  }
};

}  // namespace dbkeep::test
