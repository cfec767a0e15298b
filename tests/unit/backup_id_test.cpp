#include "dbkeep/repo/backup_id.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "dbkeep/repo/repository.hpp"
#include "dbkeep/repo/retention.hpp"
#include "dbkeep/storage/memory_backend.hpp"

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

// Ten backups started in the same second: "_10" is the newest, not older than "_9".
std::vector<std::string> same_second_ids() {
  std::set<std::string> used;
  std::vector<std::string> ids;
  auto time = *core::parse_iso_utc("2026-11-21T02:03:04Z");
  for (int i = 0; i < 10; ++i) {
    ids.push_back(make_backup_id(time, [&](const std::string& c) { return used.contains(c); }));
    used.insert(ids.back());
  }
  return ids;  // oldest first: base, _2, … _10
}

TEST(BackupIdTest, SuffixesCompareAsNumbers) {
  EXPECT_TRUE(backup_id_less("20261121_020304_9", "20261121_020304_10"));
  EXPECT_FALSE(backup_id_less("20261121_020304_10", "20261121_020304_9"));
  EXPECT_TRUE(backup_id_less("20261121_020304", "20261121_020304_2"));
  EXPECT_TRUE(backup_id_less("20261121_020304_99", "20261121_020305"));
  EXPECT_FALSE(backup_id_less("20261121_020304_3", "20261121_020304_3"));
  auto ids = same_second_ids();
  auto shuffled = ids;
  std::ranges::reverse(shuffled);
  std::ranges::sort(shuffled, backup_id_less);
  EXPECT_EQ(shuffled, ids);
}

TEST(BackupIdTest, ListAndLatestPutSuffixTenBeforeNine) {
  auto backend = std::make_unique<storage::MemoryBackend>();
  Repository repository(std::move(backend));
  auto time = *core::parse_iso_utc("2026-11-21T02:03:04Z");
  for (const auto& id : same_second_ids()) {
    Manifest manifest;
    manifest.id = id;
    manifest.set = "app";
    manifest.source = core::SourceKind::kSqlite;
    manifest.method = core::Method::kOnline;
    manifest.started_at = time;
    manifest.finished_at = time;
    ASSERT_TRUE(repository.commit(manifest));
  }
  auto catalog = repository.list("app");
  ASSERT_TRUE(catalog) << catalog.error().message;
  ASSERT_EQ(catalog->backups.size(), 10u);
  EXPECT_EQ(catalog->backups[0].id, "20261121_020304_10");
  EXPECT_EQ(catalog->backups[1].id, "20261121_020304_9");
  auto latest = repository.latest("app");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->id, "20261121_020304_10");
}

TEST(BackupIdTest, RetentionKeepsSuffixTenAsTheNewest) {
  auto time = *core::parse_iso_utc("2026-11-21T02:03:04Z");
  std::vector<BackupRecord> backups;
  for (const auto& id : same_second_ids()) backups.push_back({id, time, true, false, std::nullopt});
  RetentionPolicy policy;
  policy.keep_last = 1;
  auto decisions = decide_retention(backups, policy);
  ASSERT_TRUE(decisions) << decisions.error().message;
  ASSERT_EQ(decisions->size(), 10u);
  EXPECT_EQ(decisions->front().id, "20261121_020304_10");
  EXPECT_TRUE(decisions->front().keep);
}

}  // namespace
}  // namespace dbkeep::repo
