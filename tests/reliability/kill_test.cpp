// Kill anywhere: dbkeep is killed with SIGKILL after a seeded random delay during backups (and
// the prune that follows each one), for SQLite and for the MySQL snapshot and logical methods.
// After each kill: every listed backup verifies, the server takes writes, and the next run
// succeeds and leaves nothing behind (incomplete backups, temp objects, scratch directories,
// journal entries, snapshots, mounts).

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "leftovers.hpp"
#include "mysql_world.hpp"
#include "reliability_summary.hpp"
#include "support/sqlite_workspace.hpp"

namespace dbkeep::test::reliability {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// One backup set to kill: how to run dbkeep against it and where its leftovers would be.
struct KillTarget {
  std::string name;
  fs::path config;
  LeftoverPlaces places;  // listed_ids is filled in after each run
  MysqlWorld* mysql = nullptr;
};

DbkeepRun run(const KillTarget& target, std::vector<std::string> args) {
  args.insert(args.begin(), {"--config", target.config.string()});
  counters().runs++;
  return run_dbkeep(args);
}

std::vector<std::string> listed(const KillTarget& target) {
  auto listing = run(target, {"--json", "list"});
  EXPECT_EQ(listing.exit_code, 0) << describe(listing);
  std::vector<std::string> ids;
  const auto document = json_of(listing);
  for (const auto& backup : document.value("backups", nlohmann::json::array())) {
    ids.push_back(backup.at("id"));
  }
  return ids;
}

// Runs `backup` and kills it after `delay`; returns whether it was still running then.
bool backup_killed_after(const KillTarget& target, std::chrono::microseconds delay) {
  core::SpawnOptions options;
  options.argv = {DBKEEP_BINARY, "--quiet", "--config", target.config.string(), "backup"};
  options.pipe_stdout = true;  // a run that finishes first prints one line; keep it quiet
  auto child = core::ChildProcess::spawn(options);
  EXPECT_TRUE(child) << child.error().message;
  if (!child) return false;
  counters().runs++;
  std::this_thread::sleep_for(delay);
  bool killed = ::kill(child->pid(), SIGKILL) == 0;
  auto status = child->wait();
  return killed && status && status->signal == SIGKILL;
}

void check_after_kill(KillTarget& target, const std::string& what) {
  // Whatever is listed is complete and verifies.
  auto ids = listed(target);
  auto verify = run(target, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << what << ": a listed backup does not verify\n"
                                 << verify.stdout_text << verify.stderr_text;
  if (verify.exit_code == 0) {
    counters().backups_verified += ids.size();
  } else {
    counters().data_lost++;
  }
  if (target.mysql != nullptr) {
    bool writable = target.mysql->server_writable();
    EXPECT_TRUE(writable) << what << ": the server is still locked";
    if (!writable) counters().leftovers_found++;
  }
  // The next run cleans up and succeeds.
  auto next = run(target, {"backup"});
  EXPECT_EQ(next.exit_code, 0) << what << ": the run after the kill failed\n" << next.stderr_text;
  target.places.listed_ids = listed(target);
  for (const auto& leftover : find_leftovers(target.places)) {
    ADD_FAILURE() << what << ": left behind: " << leftover;
    counters().leftovers_found++;
  }
}

void kill_repeatedly(KillTarget& target, int kills, std::uint64_t salt) {
  // One undisturbed run measures how long a backup (with its prune) takes.
  auto started = Clock::now();
  auto first = run(target, {"backup"});
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  auto duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  auto random = seeded_generator(salt);
  // Later runs are often quicker than the first (caches are warm): aim within 90% of it.
  std::uniform_int_distribution<long> delay_us(0, duration.count() * 9 / 10);
  int caught = 0;
  for (int i = 0; i < kills; ++i) {
    auto delay = std::chrono::microseconds(delay_us(random));
    std::string what = target.name + " kill " + std::to_string(i) + " after " +
                       std::to_string(delay.count() / 1000) + " ms (seed " +
                       std::to_string(base_seed()) + ")";
    if (backup_killed_after(target, delay)) {
      caught++;
      counters().faults_injected++;
    }
    check_after_kill(target, what);
  }
  std::cout << "[ kill     ] " << target.name << ": backup takes " << duration.count() / 1000
            << " ms; " << caught << " of " << kills
            << " runs killed mid-way, each followed by verify and a clean run\n";
}

TEST(KillAnywhereTest, Sqlite) {
  // Retention keeps two, so kills also land in the prune after the backup.
  SqliteWorkspace workspace("compression_level = 6\n[set.retention]\nkeep_last = 2\n");
  workspace.fill(400, 20000, /*wal=*/true);  // ≈ 8 MB
  KillTarget target{
      "sqlite",
      workspace.config(),
      {workspace.repository(), "app", {}, workspace.temp(), workspace.dir() / "state", {}, {}}};
  kill_repeatedly(target, case_count(4, 20), 100);
}

class KillMysqlTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KillMysqlTest, Method) {
  std::string reason;
  MysqlWorld* world = MysqlWorld::get(reason);
  if (world == nullptr) GTEST_SKIP() << "MySQL kill tests skipped: " << reason;
  const std::string& method = GetParam();
  std::string set = method == "snapshot" ? "snap" : "dump";
  auto config = world->write_config(set, method, "[set.retention]\nkeep_last = 2\n");
  KillTarget target{method,
                    config,
                    {world->workspace().repository(),
                     set,
                     {},
                     world->workspace().dir(),
                     world->state_dir(),
                     method == "snapshot" ? world->workspace().snapshot_dir() : fs::path(),
                     method == "snapshot" ? world->workspace().snapshot_dir() : fs::path()},
                    world};
  kill_repeatedly(target, case_count(3, 20), method == "snapshot" ? 200 : 300);
}

INSTANTIATE_TEST_SUITE_P(Methods, KillMysqlTest, ::testing::Values("snapshot", "logical"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dbkeep::test::reliability
