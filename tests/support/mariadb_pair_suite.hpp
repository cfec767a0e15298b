#pragma once
// Base fixture for suites that move data from one MariaDB server to another (the logical
// round trips): a source and a target server per suite, skipped visibly when MariaDB cannot run
// here, and the dbkeep config of a logical set over the source.
//
//   class MysqlToSqlTest : public dbkeep::test::MariaDbPairSuite {};
//   TEST_F(MysqlToSqlTest, ...) { source().execute("..."); target().query("..."); }

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "support/mariadb_server.hpp"

namespace dbkeep::test {

class MariaDbPairSuite : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    DBKEEP_SKIP_WITHOUT_MARIADB();
    auto source = MariaDbServer::start();
    auto target = MariaDbServer::start();
    if (!source || !target) {
      shared().error = !source ? source.error().message : target.error().message;
      return;
    }
    shared().source = std::move(*source);
    shared().target = std::move(*target);
  }
  static void TearDownTestSuite() { shared() = {}; }

 protected:
  void SetUp() override {
    DBKEEP_SKIP_WITHOUT_MARIADB();
    ASSERT_TRUE(started()) << "MariaDB did not start: " << shared().error;
  }

  [[nodiscard]] static bool started() { return shared().source && shared().target; }
  static MariaDbServer& source() { return *shared().source; }
  static MariaDbServer& target() { return *shared().target; }

  // Writes `path`: a repository and log in `dir`, and logical set `set` over the source server
  // as root (zstd); `extra` goes into [set.logical].
  static void write_logical_config(const std::filesystem::path& path,
                                   const std::filesystem::path& dir, const std::string& set,
                                   const std::string& extra) {
    std::ofstream(path) << "[repository]\npath = \"" << (dir / "repo").string()
                        << "\"\n[log]\nfile = \"" << (dir / "dbkeep.log").string()
                        << "\"\n[[set]]\nname = \"" << set
                        << "\"\nsource = \"mysql\"\nmethod = \"logical\"\n"
                        << "compression = \"zstd\"\n[set.mysql]\nsocket = \""
                        << source().socket().string() << "\"\nuser = \"root\"\n"
                        << "[set.logical]\n"
                        << extra;
  }

 private:
  struct Shared {
    std::unique_ptr<MariaDbServer> source, target;
    std::string error;
  };
  static Shared& shared() {
    static Shared slot;
    return slot;
  }
};

}  // namespace dbkeep::test
