#include <gtest/gtest.h>

#include "dbkeep/source/mysql/server_probe.hpp"

namespace dbkeep::source::mysql {
namespace {

TEST(ServerVersion, ParsesVersionStrings) {
  EXPECT_EQ(parse_version_number("10.11.6-MariaDB-0+deb12u1-log"), 101106u);
  EXPECT_EQ(parse_version_number("8.0.36"), 80036u);
  EXPECT_EQ(parse_version_number("8.4"), 80400u);
  EXPECT_EQ(parse_version_number("5.7.44-48-log"), 50744u);
  EXPECT_EQ(parse_version_number("garbage"), 0u);
}

TEST(ServerVersion, ComparesByNumber) {
  ServerVersion version{Flavor::kMariaDb, "10.4.1", 100401};
  EXPECT_TRUE(version.at_least(10, 4, 1));
  EXPECT_TRUE(version.at_least(10, 3));
  EXPECT_FALSE(version.at_least(10, 4, 2));
  EXPECT_FALSE(version.at_least(11, 0));
}

}  // namespace
}  // namespace dbkeep::source::mysql
