#include "dbkeep/repo/backup_id.hpp"

#include <gtest/gtest.h>

#include <set>

namespace dbkeep::repo {
namespace {

TEST(BackupIdTest, IdIsTheUtcStartTime) {
  auto time = *core::parse_iso_utc("2026-11-21T02:03:04Z");
  EXPECT_EQ(make_backup_id(time, [](const std::string&) { return false; }), "20261121_020304");
}

TEST(BackupIdTest, CollisionsGetASuffix) {
  auto time = *core::parse_iso_utc("2026-11-21T02:03:04Z");
  std::set<std::string> used = {"20261121_020304", "20261121_020304_2"};
  auto id = make_backup_id(time, [&](const std::string& c) { return used.contains(c); });
  EXPECT_EQ(id, "20261121_020304_3");
  EXPECT_TRUE(is_backup_id(id));
}

TEST(BackupIdTest, RecognizesOnlyWellFormedIds) {
  EXPECT_TRUE(is_backup_id("20261121_020304"));
  EXPECT_TRUE(is_backup_id("20261121_020304_12"));
  EXPECT_FALSE(is_backup_id("20261121-020304"));
  EXPECT_FALSE(is_backup_id("2026112_020304"));
  EXPECT_FALSE(is_backup_id("20261121_020304_"));
  EXPECT_FALSE(is_backup_id("20261121_020304x"));
  EXPECT_FALSE(is_backup_id(".state"));
  EXPECT_FALSE(is_backup_id(""));
}

TEST(BackupIdTest, IdsSortInTimeOrder) {
  auto early = make_backup_id(*core::parse_iso_utc("2026-01-02T23:59:59Z"),
                              [](const std::string&) { return false; });
  auto late = make_backup_id(*core::parse_iso_utc("2026-01-03T00:00:00Z"),
                             [](const std::string&) { return false; });
  EXPECT_LT(early, late);
}

}  // namespace
}  // namespace dbkeep::repo
