// retention::prune_locked over an in-memory repository: decisions applied, safe order, pins, bases
// of incrementals, leftovers, unreadable manifests, and a prune interrupted after a manifest
// was removed but before its data was.

#include "dbkeep/retention/prune_job.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "dbkeep/storage/fault_injecting_backend.hpp"
#include "dbkeep/storage/memory_backend.hpp"

namespace dbkeep::retention {
namespace {

using namespace std::chrono;
using Ids = std::vector<std::string>;

constexpr const char* kSet = "app";

// 2026-11-(day) 02:00 UTC and its id.
sys_seconds night(int day) {
  return sys_days{2026y / November / day} + 2h;
}
std::string night_id(int day) {
  return "202611" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "_020000";
}

class PruneJobTest : public ::testing::Test {
 protected:
  PruneJobTest() {
    auto faulty = std::make_unique<storage::FaultInjectingBackend>(memory_);
    faults_ = faulty.get();
    repository_ = std::make_unique<repo::Repository>(std::move(faulty));
    set_.name = kSet;
    set_.retention.keep_last = 3;
  }

  // A complete backup of one 300-byte file stored as 100 bytes.
  void add_backup(int day, std::optional<std::string> depends_on = std::nullopt) {
    const std::string id = night_id(day);
    const std::string data = repo::Repository::data_key(kSet, id, "app.db");
    memory_.put(data, std::string(100, 'x'));
    repo::Manifest manifest;
    manifest.id = id;
    manifest.set = kSet;
    manifest.source = core::SourceKind::kSqlite;
    manifest.method = core::Method::kOnline;
    manifest.started_at = night(day);
    manifest.finished_at = night(day) + 1s;
    manifest.depends_on = std::move(depends_on);
    pipeline::StoredFile file{.path = "app.db",
                              .stored_key = data,
                              .size = 300,
                              .stored_size = 100,
                              .stored_sha256 = std::string(64, '0'),
                              .codec = pipeline::Codec::kNone};
    manifest.files.push_back({file});
    auto committed = repository_->commit(manifest);
    ASSERT_TRUE(committed) << committed.error().message;
  }

  Ids listed() {
    Ids ids;
    auto catalog = repository_->list(kSet);
    EXPECT_TRUE(catalog) << catalog.error().message;
    for (const auto& manifest : catalog.value_or(repo::Catalog{}).backups)
      ids.push_back(manifest.id);
    return ids;
  }

  // Every listed backup still has every object its manifest names.
  void expect_listed_backups_whole() {
    auto catalog = repository_->list(kSet);
    ASSERT_TRUE(catalog);
    for (const auto& manifest : catalog->backups) {
      for (const auto& file : manifest.files) {
        EXPECT_TRUE(memory_.get(file.stored.stored_key))
            << manifest.id << " is listed but " << file.stored.stored_key << " is gone";
      }
    }
  }

  PruneReport prune(bool dry_run = false) {
    auto report = prune_locked(*repository_, set_, PruneOptions{.dry_run = dry_run});
    EXPECT_TRUE(report) << report.error().message;
    return report.value_or(PruneReport{});
  }

  storage::MemoryBackend memory_;
  storage::FaultInjectingBackend* faults_ = nullptr;
  std::unique_ptr<repo::Repository> repository_;
  core::SetConfig set_;
};

Ids entry_ids(const PruneReport& report, bool keep) {
  Ids ids;
  for (const auto& entry : report.entries) {
    if (entry.keep == keep) ids.push_back(entry.id);
  }
  return ids;
}

TEST_F(PruneJobTest, KeepLastThreeOfFiveDeletesTheTwoOldestWithTheirData) {
  for (int day = 1; day <= 5; ++day) add_backup(day);
  auto report = prune();

  EXPECT_EQ(entry_ids(report, true), (Ids{night_id(5), night_id(4), night_id(3)}));
  EXPECT_EQ(entry_ids(report, false), (Ids{night_id(2), night_id(1)}));
  EXPECT_EQ(report.entries[0].reasons, (std::vector<std::string>{"newest", "last 3"}));
  EXPECT_TRUE(report.entries[3].deleted);
  EXPECT_EQ(report.bytes_to_free(), 200U);
  EXPECT_EQ(listed(), (Ids{night_id(5), night_id(4), night_id(3)}));
  EXPECT_FALSE(memory_.get(repo::Repository::data_key(kSet, night_id(1), "app.db")));
  auto objects = memory_.list(repo::Repository::backup_prefix(kSet, night_id(2)));
  ASSERT_TRUE(objects);
  EXPECT_TRUE(objects->empty()) << "every object of a deleted backup goes";
}

TEST_F(PruneJobTest, DryRunReportsTheSameDecisionsAndDeletesNothing) {
  for (int day = 1; day <= 5; ++day) add_backup(day);
  memory_.put(repo::Repository::data_key(kSet, night_id(6), "app.db"), "partial");

  auto report = prune(/*dry_run=*/true);
  EXPECT_TRUE(report.dry_run);
  EXPECT_EQ(entry_ids(report, false), (Ids{night_id(6), night_id(2), night_id(1)}));
  for (const auto& entry : report.entries) EXPECT_FALSE(entry.deleted) << entry.id;
  EXPECT_EQ(listed().size(), 5U);
  EXPECT_TRUE(memory_.get(repo::Repository::data_key(kSet, night_id(6), "app.db")));
}

TEST_F(PruneJobTest, PinnedBackupIsKeptUntilUnpinned) {
  for (int day = 1; day <= 5; ++day) add_backup(day);
  ASSERT_TRUE(repository_->set_pinned(kSet, night_id(1), true, night(9)));

  auto report = prune();
  EXPECT_EQ(entry_ids(report, true), (Ids{night_id(5), night_id(4), night_id(3), night_id(1)}));
  EXPECT_EQ(report.entries.back().reasons, (std::vector<std::string>{"pinned"}));
  EXPECT_EQ(listed(), (Ids{night_id(5), night_id(4), night_id(3), night_id(1)}));
  auto catalog = repository_->list(kSet);
  ASSERT_TRUE(catalog);
  EXPECT_TRUE(catalog->is_pinned(catalog->backups.back()));

  ASSERT_TRUE(repository_->set_pinned(kSet, night_id(1), false, night(9)));
  prune();
  EXPECT_EQ(listed(), (Ids{night_id(5), night_id(4), night_id(3)}));
}

TEST_F(PruneJobTest, BaseOfAKeptIncrementalIsKeptAndIncrementalsGoBeforeTheirBase) {
  add_backup(1);
  add_backup(2, night_id(1));  // incremental on day 1
  add_backup(3);
  add_backup(4, night_id(3));
  set_.retention.keep_last = 1;

  auto report = prune();
  EXPECT_EQ(entry_ids(report, true), (Ids{night_id(4), night_id(3)}));
  EXPECT_EQ(report.entries[1].reasons, (std::vector<std::string>{"needed by " + night_id(4)}));
  EXPECT_EQ(listed(), (Ids{night_id(4), night_id(3)}));

  // Now day 4 (an incremental) and day 3 (its base) both go. Interrupted at day 4, the base
  // must still be listed and whole: deleting newest first puts incrementals before bases.
  for (int day : {5, 6}) add_backup(day);
  add_backup(7, night_id(6));
  faults_->set_plan({.fail_remove_prefix = repo::Repository::backup_prefix(kSet, night_id(4))});
  EXPECT_FALSE(prune_locked(*repository_, set_, {}));
  EXPECT_EQ(listed(), (Ids{night_id(7), night_id(6), night_id(3)}))
      << "day 5 went before the failure at day 4; day 3 was not reached";
  expect_listed_backups_whole();
}

TEST_F(PruneJobTest, InterruptedPruneLeavesNoListedBackupWithoutDataAndTheNextOneFinishes) {
  for (int day = 1; day <= 5; ++day) add_backup(day);
  const std::string victim = night_id(2);  // the first deleted: deletion goes newest first
  faults_->set_plan({.fail_remove_prefix = repo::Repository::backup_prefix(kSet, victim)});

  auto failed = prune_locked(*repository_, set_, {});
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find(victim), std::string::npos) << failed.error().message;
  // The manifest went first: the backup is no longer listed, its data is still there.
  EXPECT_EQ(listed(), (Ids{night_id(5), night_id(4), night_id(3), night_id(1)}));
  EXPECT_TRUE(memory_.get(repo::Repository::data_key(kSet, victim, "app.db")));
  expect_listed_backups_whole();

  faults_->set_plan({});
  auto report = prune();
  ASSERT_FALSE(report.entries.empty());
  EXPECT_EQ(report.entries.front().id, victim);
  EXPECT_EQ(report.entries.front().reasons, (std::vector<std::string>{"incomplete leftover"}));
  EXPECT_TRUE(report.entries.front().deleted);
  EXPECT_EQ(listed(), (Ids{night_id(5), night_id(4), night_id(3)}));
  auto leftovers = repository_->incomplete(kSet);
  ASSERT_TRUE(leftovers);
  EXPECT_TRUE(leftovers->empty());
  EXPECT_FALSE(memory_.get(repo::Repository::data_key(kSet, victim, "app.db")));
}

TEST_F(PruneJobTest, UnreadableManifestIsLeftAloneAndReported) {
  for (int day = 1; day <= 5; ++day) add_backup(day);
  memory_.put(repo::Repository::manifest_key(kSet, night_id(1)), "{ not json");

  auto report = prune();
  ASSERT_EQ(report.problems.size(), 1U);
  EXPECT_NE(report.problems[0].find(night_id(1)), std::string::npos) << report.problems[0];
  EXPECT_TRUE(memory_.get(repo::Repository::data_key(kSet, night_id(1), "app.db")));
  EXPECT_EQ(entry_ids(report, false), (Ids{night_id(2)}));
}

TEST_F(PruneJobTest, EmptySetPrunesNothing) {
  auto report = prune();
  EXPECT_TRUE(report.entries.empty());
  EXPECT_EQ(report.bytes_to_free(), 0U);
}

TEST(RetentionPolicyFromConfigTest, ConvertsEveryKey) {
  core::RetentionConfig config;
  config.keep_daily = 7;
  config.keep_within = "2w";
  config.time_zone = "UTC";
  auto policy = retention_policy(config);
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->keep_daily, 7);
  EXPECT_FALSE(policy->keep_last);
  ASSERT_TRUE(policy->keep_within);
  EXPECT_EQ(policy->keep_within->weeks, 2);

  config = {};
  auto nothing = retention_policy(config);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().kind, ErrorKind::kUsage);
}

}  // namespace
}  // namespace dbkeep::retention
