// The pure parts of the physical method: tool choice, version matching, the defaults file that
// carries the password, the tool's metadata files, and the [set.physical] config keys.

#include "dbkeep/source/mysql/physical_tool.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/temp_dir.hpp"

namespace dbkeep::source::mysql {
namespace {

TEST(PhysicalToolTest, ChoosesByFlavorUnlessConfigured) {
  EXPECT_EQ(choose_physical_tool(Flavor::kMariaDb, std::nullopt), "mariabackup");
  EXPECT_EQ(choose_physical_tool(Flavor::kMySql, std::nullopt), "xtrabackup");
  EXPECT_EQ(choose_physical_tool(Flavor::kPercona, std::nullopt), "xtrabackup");
  EXPECT_EQ(choose_physical_tool(Flavor::kMariaDb, std::string("xtrabackup")), "xtrabackup");
}

TEST(PhysicalToolTest, ReadsTheServerVersionFromBothToolsVersionLines) {
  EXPECT_EQ(tool_version_from_output(
                "mariabackup based on MariaDB server 10.11.19-MariaDB debian-linux-gnu (x86_64)"),
            "10.11.19-MariaDB");
  EXPECT_EQ(tool_version_from_output("xtrabackup version 8.0.35-30 based on MySQL server 8.0.35 "
                                     "Linux (x86_64) (revision id: 6beb4b49)"),
            "8.0.35");
  EXPECT_EQ(tool_version_from_output("no version here"), "");
  EXPECT_EQ(release_series(parse_version_number("10.11.19-MariaDB")),
            release_series(parse_version_number("10.11.6-MariaDB-0+deb12u1-log")));
  EXPECT_NE(release_series(parse_version_number("10.6.1")),
            release_series(parse_version_number("10.11.6")));
}

TEST(PhysicalToolTest, DefaultsFileIsPrivateAndQuotesValues) {
  auto dir = core::TempDir::create(std::filesystem::temp_directory_path(), "dbkeep-unit-");
  ASSERT_TRUE(dir);
  auto path = dir->path() / "client.cnf";
  ConnectionOptions options;
  options.user = "backup";
  options.password = R"(p"a\ss #1)";
  options.socket = "/run/mysqld/mysqld.sock";
  ASSERT_TRUE(write_defaults_file(path, options));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  EXPECT_EQ(text.str(),
            "[client]\nuser=\"backup\"\npassword=\"p\\\"a\\\\ss #1\"\n"
            "socket=\"/run/mysqld/mysqld.sock\"\n"
            "[xtrabackup]\nuser=\"backup\"\npassword=\"p\\\"a\\\\ss #1\"\n"
            "socket=\"/run/mysqld/mysqld.sock\"\n");
  // Never reuses a file someone else created.
  EXPECT_FALSE(write_defaults_file(path, options));
}

TEST(PhysicalToolTest, ParsesCheckpoints) {
  auto checkpoints = parse_checkpoints(
      "backup_type = incremental\nfrom_lsn = 45678\nto_lsn = 99887\nlast_lsn = 99887\n", "cp");
  ASSERT_TRUE(checkpoints);
  EXPECT_EQ(checkpoints->backup_type, "incremental");
  EXPECT_EQ(checkpoints->from_lsn, 45678U);
  EXPECT_EQ(checkpoints->to_lsn, 99887U);
  EXPECT_EQ(checkpoints->last_lsn, 99887U);
  EXPECT_FALSE(parse_checkpoints("backup_type = full-backuped\nfrom_lsn = 0\n", "cp"));
  EXPECT_FALSE(parse_checkpoints("backup_type = x\nfrom_lsn = 0\nto_lsn = 12ab\n", "cp"));
}

Result<core::Config> parse_physical(const std::string& physical) {
  return core::parse_config(
      "[repository]\npath = \"/tmp/r\"\n[[set]]\nname = \"db\"\nsource = \"mysql\"\n"
      "method = \"physical\"\n[set.mysql]\nsocket = \"/s\"\n[set.physical]\n" +
          physical,
      "t.toml", {});
}

TEST(PhysicalToolTest, ConfigKeys) {
  auto config = parse_physical("tool = \"xtrabackup\"\ntype = \"incremental\"\nparallel = 4\n");
  ASSERT_TRUE(config) << config.error().message;
  const auto& physical = *config->sets.at(0).physical;
  EXPECT_EQ(physical.tool, "xtrabackup");
  EXPECT_TRUE(physical.incremental);
  EXPECT_EQ(physical.parallel, 4);

  auto defaults = parse_physical("");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_FALSE(defaults->sets.at(0).physical->incremental);
  EXPECT_FALSE(defaults->sets.at(0).physical->tool);

  auto bad_tool = parse_physical("tool = \"innobackupex\"\n");
  ASSERT_FALSE(bad_tool);
  EXPECT_NE(bad_tool.error().message.find("mariabackup or xtrabackup"), std::string::npos);
  EXPECT_FALSE(parse_physical("type = \"differential\"\n"));
  EXPECT_FALSE(parse_physical("paralel = 2\n"));
}

}  // namespace
}  // namespace dbkeep::source::mysql
