// Retention end to end through the real dbkeep binary on SQLite sets: prune, --dry-run, pins,
// the prune after each backup, lock conflicts, stats, and the documented calendar.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "dbkeep/repo/repository.hpp"
#include "dbkeep/repo/set_lock.hpp"
#include "dbkeep/storage/local_backend.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

using Ids = std::vector<std::string>;

// Takes `count` backups, returning their ids newest first.
Ids take_backups(const SqliteWorkspace& workspace, int count) {
  Ids ids;
  for (int i = 0; i < count; ++i) {
    workspace.sql("INSERT INTO t (payload) VALUES (randomblob(1000))");
    auto backup = workspace.dbkeep_json({"backup"});
    ids.insert(ids.begin(), backup["backups"][0]["id"].get<std::string>());
  }
  return ids;
}

Ids first(const Ids& ids, std::size_t count) {
  return Ids(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(std::min(count, ids.size())));
}

// The ids a prune report (one set) marks with `action` ("keep" / "delete").
Ids with_action(const nlohmann::json& prune, const std::string& action) {
  Ids ids;
  for (const auto& backup : prune["sets"][0]["backups"]) {
    if (backup["action"] == action) ids.push_back(backup["id"]);
  }
  return ids;
}

TEST(PruneTest, NineBackupsWithKeepLastSevenLeaveTheSevenNewestEachVerifying) {
  SqliteWorkspace workspace("[set.retention]\nkeep_last = 7\n");
  workspace.fill(50, 100, /*wal=*/true);
  Ids taken = take_backups(workspace, 9);  // the prune after each backup does the work

  EXPECT_EQ(workspace.listed_ids(), first(taken, 7));
  for (const auto& id : workspace.listed_ids()) {
    auto verify = workspace.dbkeep({"verify", id});
    EXPECT_EQ(verify.exit_code, 0) << id << ": " << verify.stdout_text << verify.stderr_text;
  }
  for (const auto& gone : {taken[7], taken[8]}) {
    EXPECT_FALSE(std::filesystem::exists(workspace.repository() / "app" / gone)) << gone;
  }
  std::string log;
  std::getline(std::ifstream(workspace.dir() / "dbkeep.log"), log, '\0');
  EXPECT_TRUE(contains(log, "pruned backup app/" + taken[8])) << log;
}

TEST(PruneTest, DryRunDeletesNothingThenPruneKeepsExactlyTheThreeNewest) {
  SqliteWorkspace workspace("[set.retention]\nkeep_last = 3\nprune_after_backup = false\n");
  workspace.fill(20, 100, /*wal=*/false);
  Ids taken = take_backups(workspace, 5);
  ASSERT_EQ(workspace.listed_ids(), taken) << "prune_after_backup = false keeps all five";

  auto dry = workspace.dbkeep_json({"prune", "--dry-run"});
  EXPECT_EQ(dry["dry_run"], true);
  EXPECT_EQ(with_action(dry, "keep"), first(taken, 3));
  EXPECT_EQ(with_action(dry, "delete"), (Ids{taken[3], taken[4]}));
  EXPECT_EQ(workspace.listed_ids(), taken);

  auto text = workspace.dbkeep({"prune", "--dry-run"});
  EXPECT_EQ(text.exit_code, 0) << text.stderr_text;
  EXPECT_TRUE(contains(text.stdout_text, "KEEP    " + taken[0])) << text.stdout_text;
  EXPECT_TRUE(contains(text.stdout_text, "newest, last 3")) << text.stdout_text;
  EXPECT_TRUE(contains(text.stdout_text, "DELETE  " + taken[4])) << text.stdout_text;
  EXPECT_TRUE(contains(text.stdout_text, "dry run")) << text.stdout_text;

  auto pruned = workspace.dbkeep_json({"prune"});
  EXPECT_EQ(pruned["sets"][0]["deleted"], 2);
  EXPECT_EQ(workspace.listed_ids(), first(taken, 3));
  auto again = workspace.dbkeep_json({"prune"});
  EXPECT_EQ(again["sets"][0]["deleted"], 0) << "pruning is idempotent";
}

TEST(PruneTest, PinnedBackupSurvivesPruneUntilUnpinned) {
  SqliteWorkspace workspace("[set.retention]\nkeep_last = 2\nprune_after_backup = false\n");
  workspace.fill(20, 100, /*wal=*/false);
  Ids taken = take_backups(workspace, 4);
  const std::string oldest = taken.back();

  auto pin = workspace.dbkeep({"pin", oldest});
  ASSERT_EQ(pin.exit_code, 0) << pin.stderr_text;
  EXPECT_TRUE(contains(pin.stdout_text, "pinned")) << pin.stdout_text;
  auto pinned_again = workspace.dbkeep_json({"pin", oldest});
  EXPECT_EQ(pinned_again["changed"], false);

  auto listing = workspace.dbkeep_json({"list"});
  ASSERT_EQ(listing["backups"].size(), 4U);
  EXPECT_EQ(listing["backups"][3]["pinned"], true);
  EXPECT_EQ(listing["backups"][0]["pinned"], false);
  auto shown = workspace.dbkeep({"show", oldest});
  EXPECT_TRUE(contains(shown.stdout_text, "pinned:       yes")) << shown.stdout_text;
  EXPECT_EQ(workspace.dbkeep_json({"show", oldest})["pinned"], true);
  EXPECT_TRUE(contains(workspace.dbkeep({"list"}).stdout_text, "complete, pinned"));

  auto pruned = workspace.dbkeep_json({"prune"});
  EXPECT_EQ(workspace.listed_ids(), (Ids{taken[0], taken[1], oldest}));
  EXPECT_EQ(pruned["sets"][0]["backups"][3]["id"], oldest);
  EXPECT_EQ(pruned["sets"][0]["backups"][3]["reasons"], nlohmann::json::array({"pinned"}));

  ASSERT_EQ(workspace.dbkeep({"unpin", oldest}).exit_code, 0);
  workspace.dbkeep_json({"prune"});
  EXPECT_EQ(workspace.listed_ids(), first(taken, 2));

  auto missing = workspace.dbkeep({"pin", "20000101_000000"});
  EXPECT_EQ(missing.exit_code, 2) << missing.stderr_text;
}

TEST(PruneTest, PruneAfterBackupCanBeTurnedOff) {
  SqliteWorkspace automatic("[set.retention]\nkeep_last = 2\n");
  automatic.fill(10, 100, /*wal=*/false);
  Ids taken = take_backups(automatic, 4);
  EXPECT_EQ(automatic.listed_ids(), first(taken, 2)) << "same-second ids never reuse a pruned one";

  SqliteWorkspace manual("[set.retention]\nkeep_last = 2\nprune_after_backup = false\n");
  manual.fill(10, 100, /*wal=*/false);
  Ids all = take_backups(manual, 4);
  EXPECT_EQ(manual.listed_ids(), all);
}

TEST(PruneTest, WithoutARetentionTableTheDefaultKeepsSeven) {
  SqliteWorkspace workspace;
  workspace.fill(10, 100, /*wal=*/false);
  Ids taken = take_backups(workspace, 8);
  EXPECT_EQ(workspace.listed_ids(), first(taken, 7));
}

TEST(PruneTest, HeldLockMakesPruneAndPinExitFourAndChangesNothing) {
  SqliteWorkspace workspace("[set.retention]\nkeep_last = 1\nprune_after_backup = false\n");
  workspace.fill(10, 100, /*wal=*/false);
  Ids taken = take_backups(workspace, 2);

  auto lock = repo::SetLock::acquire(workspace.dir() / "state", "app");
  ASSERT_TRUE(lock) << lock.error().message;
  auto prune = workspace.dbkeep({"prune"});
  EXPECT_EQ(prune.exit_code, 4) << prune.stderr_text;
  EXPECT_TRUE(contains(prune.stderr_text, "lock")) << prune.stderr_text;
  EXPECT_EQ(workspace.dbkeep({"prune", "--dry-run"}).exit_code, 4);
  EXPECT_EQ(workspace.dbkeep({"pin", taken[1]}).exit_code, 4);
  EXPECT_EQ(workspace.listed_ids(), taken);
}

TEST(PruneTest, LeftoverOfAnInterruptedPruneIsUnlistedAndRemovedByTheNextOne) {
  SqliteWorkspace workspace("[set.retention]\nkeep_last = 3\nprune_after_backup = false\n");
  workspace.fill(10, 100, /*wal=*/false);
  Ids taken = take_backups(workspace, 3);
  // What a prune killed between removing a manifest and removing the data leaves behind.
  std::filesystem::remove(workspace.repository() / "app" / taken[2] / "manifest.json");
  EXPECT_EQ(workspace.listed_ids(), first(taken, 2));
  EXPECT_EQ(workspace.dbkeep({"verify"}).exit_code, 0);

  auto pruned = workspace.dbkeep_json({"prune"});
  const auto& leftover = pruned["sets"][0]["backups"][0];
  EXPECT_EQ(leftover["id"], taken[2]);
  EXPECT_EQ(leftover["reasons"], nlohmann::json::array({"incomplete leftover"}));
  EXPECT_EQ(leftover["deleted"], true);
  EXPECT_FALSE(std::filesystem::exists(workspace.repository() / "app" / taken[2]));
  EXPECT_EQ(workspace.listed_ids(), first(taken, 2));
}

TEST(PruneTest, StatsCountSizesAndWhatThePolicyWouldFree) {
  SqliteWorkspace workspace("[set.retention]\nkeep_last = 3\nprune_after_backup = false\n");
  workspace.fill(20, 100, /*wal=*/false);
  workspace.sql("CREATE TABLE zeros (b BLOB)");
  workspace.sql("INSERT INTO zeros VALUES (zeroblob(200000))");  // compresses well
  Ids taken = take_backups(workspace, 5);
  auto listing = workspace.dbkeep_json({"list"});
  std::uint64_t size = 0, stored = 0, oldest_two = 0;
  for (std::size_t i = 0; i < listing["backups"].size(); ++i) {
    size += listing["backups"][i]["size"].get<std::uint64_t>();
    stored += listing["backups"][i]["stored_size"].get<std::uint64_t>();
    if (i >= 3) oldest_two += listing["backups"][i]["stored_size"].get<std::uint64_t>();
  }

  auto stats = workspace.dbkeep_json({"stats"})["sets"][0];
  EXPECT_EQ(stats["set"], "app");
  EXPECT_EQ(stats["backups"], 5);
  EXPECT_EQ(stats["size"], size);
  EXPECT_EQ(stats["stored_size"], stored);
  EXPECT_GT(stats["compression_ratio"].get<double>(), 1.0);
  EXPECT_EQ(stats["newest"], listing["backups"][0]["started_at"]);
  EXPECT_EQ(stats["oldest"], listing["backups"][4]["started_at"]);
  EXPECT_EQ(stats["prunable_backups"], 2);
  EXPECT_EQ(stats["prunable_bytes"], oldest_two);

  auto text = workspace.dbkeep({"stats", "--set", "app"});
  EXPECT_EQ(text.exit_code, 0) << text.stderr_text;
  EXPECT_TRUE(contains(text.stdout_text, "5 (0 pinned)")) << text.stdout_text;
  EXPECT_TRUE(contains(text.stdout_text, "2 backups")) << text.stdout_text;
  EXPECT_EQ(workspace.listed_ids(), taken) << "stats changes nothing";
}

TEST(PruneTest, CheckConfigRefusesAPolicyThatKeepsNothing) {
  SqliteWorkspace workspace("[set.retention]\nprune_after_backup = false\n");
  workspace.fill(1, 1, /*wal=*/false);
  auto check = workspace.dbkeep({"check-config"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_TRUE(contains(check.stderr_text, "keeps nothing")) << check.stderr_text;
  EXPECT_EQ(workspace.dbkeep({"prune"}).exit_code, 2);
}

// The calendar of docs/retention.md, written as manifests with chosen times through the
// library and pruned by the binary: nightly 02:00 UTC backups from 2026-09-01 to 2026-12-02.
TEST(PruneTest, TheDocumentedCalendarThroughTheBinary) {
  SqliteWorkspace workspace(
      "[set.retention]\nkeep_last = 3\nkeep_daily = 7\nkeep_weekly = 4\nkeep_monthly = 3\n"
      "time_zone = \"UTC\"\nprune_after_backup = false\n");
  repo::Repository repository(std::make_unique<storage::LocalBackend>(workspace.repository()));
  using namespace std::chrono;
  for (sys_days day = 2026y / September / 1; day <= sys_days{2026y / December / 2};
       day += days{1}) {
    repo::Manifest manifest;
    manifest.set = "app";
    manifest.source = core::SourceKind::kSqlite;
    manifest.method = core::Method::kOnline;
    manifest.started_at = day + 2h;
    manifest.finished_at = day + 2h + 5s;
    manifest.id = core::format_compact_utc(manifest.started_at);
    ASSERT_TRUE(storage::write_all(repository.backend(),
                                   repo::Repository::data_key("app", manifest.id, "app.db"), "x"));
    ASSERT_TRUE(repository.commit(manifest));
  }
  ASSERT_EQ(workspace.listed_ids().size(), 93U);

  auto pruned = workspace.dbkeep_json({"prune"});
  EXPECT_EQ(with_action(pruned, "keep"),
            (Ids{"20261202_020000", "20261201_020000", "20261130_020000", "20261129_020000",
                 "20261128_020000", "20261127_020000", "20261126_020000", "20261122_020000",
                 "20261115_020000", "20261031_020000"}));
  EXPECT_EQ(pruned["sets"][0]["backups"][0]["reasons"],
            nlohmann::json::array(
                {"newest", "last 3", "daily 2026-12-02", "weekly 2026-W49", "monthly 2026-12"}));
  EXPECT_EQ(workspace.listed_ids().size(), 10U);
}

}  // namespace
}  // namespace dbkeep::test
