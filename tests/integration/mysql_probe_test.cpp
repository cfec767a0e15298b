// probe_server against a real MariaDB: the values a snapshot backup decides with.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "dbkeep/source/mysql/server_probe.hpp"
#include "support/mariadb_test_suite.hpp"

namespace dbkeep::source::mysql {
namespace {

namespace fs = std::filesystem;

class MysqlProbeTest : public test::MariaDbTestSuite {};

TEST_F(MysqlProbeTest, ReportsFlavorLayoutAndBinlog) {
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto facts = probe_server(*connection);
  ASSERT_TRUE(facts) << facts.error().message;

  EXPECT_EQ(facts->version.flavor, Flavor::kMariaDb);
  EXPECT_TRUE(facts->version.at_least(10, 4)) << facts->version.text;
  const fs::path datadir = fs::canonical(server().datadir());
  EXPECT_EQ(facts->datadir, datadir);
  EXPECT_EQ(facts->innodb_data_home_dir, datadir);
  EXPECT_EQ(facts->innodb_log_group_home_dir, datadir);
  EXPECT_EQ(facts->innodb_undo_directory, datadir);
  EXPECT_TRUE(facts->log_bin);
  EXPECT_EQ(facts->log_bin_basename, datadir / "mysql-bin");
  EXPECT_EQ(facts->server_id, 1u);
  EXPECT_TRUE(facts->server_uuid.empty());
  EXPECT_TRUE(facts->external_tablespace_files.empty());
  EXPECT_EQ(paths_requiring_snapshot(*facts), std::vector<fs::path>{datadir});
}

TEST_F(MysqlProbeTest, ListsEnginesInUseAndEstimatesSize) {
  server().execute("CREATE DATABASE IF NOT EXISTS probe");
  server().execute("CREATE TABLE probe.inno (id INT PRIMARY KEY, pad CHAR(200)) ENGINE=InnoDB");
  server().execute("CREATE TABLE probe.aria (id INT PRIMARY KEY) ENGINE=Aria");
  server().execute("INSERT INTO probe.inno SELECT seq, 'x' FROM probe.seq_1_to_2000");
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto facts = probe_server(*connection);
  ASSERT_TRUE(facts) << facts.error().message;
  EXPECT_EQ(facts->engines_in_use, (std::vector<std::string>{"Aria", "InnoDB"}));
  EXPECT_GT(facts->estimated_data_bytes, 100'000u);
  server().execute("DROP DATABASE probe");
}

TEST_F(MysqlProbeTest, FindsTablespaceOutsideDatadir) {
  const fs::path outside = fs::path(server().datadir()).parent_path() / "elsewhere";
  fs::create_directories(outside);
  ASSERT_EQ(::chown(outside.c_str(), 0, 0), 0);
  fs::permissions(outside, fs::perms::all);  // the server (user mysql) creates files here
  server().execute("CREATE DATABASE IF NOT EXISTS probe_ext");
  server().execute("CREATE TABLE probe_ext.t (id INT PRIMARY KEY) ENGINE=InnoDB DATA DIRECTORY='" +
                   outside.string() + "'");
  auto connection = server().connect_root();
  ASSERT_TRUE(connection) << connection.error().message;
  auto facts = probe_server(*connection);
  server().execute("DROP DATABASE probe_ext");
  ASSERT_TRUE(facts) << facts.error().message;
  const fs::path file = outside / "probe_ext" / "t.ibd";
  EXPECT_EQ(facts->external_tablespace_files, std::vector<fs::path>{file});
  auto paths = paths_requiring_snapshot(*facts);
  EXPECT_NE(std::ranges::find(paths, file), paths.end());
}

}  // namespace
}  // namespace dbkeep::source::mysql
