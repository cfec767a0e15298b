// Concurrency: verify while a backup runs, two sets backed up in parallel into one repository,
// backup and prune racing on one set. Every run ends in success or the documented "locked"
// exit 4 — never a failure, a damaged backup or a leftover.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <future>
#include <iostream>

#include "dbkeep/core/child_process.hpp"
#include "leftovers.hpp"
#include "reliability_summary.hpp"
#include "support/sqlite_workspace.hpp"

namespace dbkeep::test::reliability {
namespace {

namespace fs = std::filesystem;

// True while `pid` runs (not yet a zombie waiting to be reaped).
bool still_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close_paren = text.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < text.size() &&
         text[close_paren + 2] != 'Z';
}

DbkeepRun counted(const SqliteWorkspace& workspace, std::vector<std::string> args) {
  counters().runs++;
  return workspace.dbkeep(std::move(args));
}

void expect_clean(const SqliteWorkspace& workspace, const std::string& set) {
  LeftoverPlaces places{workspace.repository(),    set, {}, workspace.temp(),
                        workspace.dir() / "state", {},  {}};
  auto listing = workspace.dbkeep_json({"list", "--set", set});
  for (const auto& backup : listing["backups"]) places.listed_ids.push_back(backup["id"]);
  for (const auto& leftover : find_leftovers(places)) {
    ADD_FAILURE() << leftover;
    counters().leftovers_found++;
  }
}

void expect_all_verify(const SqliteWorkspace& workspace) {
  auto ids = workspace.listed_ids();
  auto verify = counted(workspace, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.stdout_text << verify.stderr_text;
  if (verify.exit_code == 0) {
    counters().backups_verified += ids.size();
  } else {
    counters().data_lost++;
  }
}

TEST(ConcurrencyTest, VerifyWhileABackupRuns) {
  SqliteWorkspace workspace("compression_level = 19\ncompression_threads = 1\n");
  workspace.fill(300, 20000, /*wal=*/true);  // ≈ 6 MB: a few seconds at level 19
  ASSERT_EQ(counted(workspace, {"backup"}).exit_code, 0);
  core::SpawnOptions options;
  options.argv = {DBKEEP_BINARY, "--quiet", "--config", workspace.config().string(), "backup"};
  auto backup = core::ChildProcess::spawn(options);
  ASSERT_TRUE(backup) << backup.error().message;
  counters().runs++;
  int verifies = 0;
  while (verifies < 50) {
    auto verify = counted(workspace, {"verify"});
    EXPECT_EQ(verify.exit_code, 0)
        << "verify during a backup: " << verify.stdout_text << verify.stderr_text;
    if (verify.exit_code != 0) counters().data_lost++;
    verifies++;
    if (!still_running(backup->pid())) break;
  }
  auto status = backup->wait();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->exit_code, 0);
  std::cout << "[ concur   ] " << verifies << " verify runs during one backup\n";
  expect_all_verify(workspace);
  expect_clean(workspace, "app");
}

TEST(ConcurrencyTest, TwoSetsInParallelIntoOneRepository) {
  SqliteWorkspace workspace;
  workspace.fill(300, 2000, /*wal=*/true);
  auto second = workspace.dir() / "b.db";
  fs::copy_file(workspace.database(), second);
  std::ofstream(workspace.config(), std::ios::app)
      << "[[set]]\nname = \"b\"\nsource = \"sqlite\"\nmethod = \"online\"\n[set.sqlite]\npath = \""
      << second.string() << "\"\n";
  for (int round = 0; round < case_count(3, 15); ++round) {
    auto a = std::async(std::launch::async, [&] {
      return counted(workspace, {"backup", "--set", "app"});
    });
    auto b = std::async(std::launch::async, [&] {
      return counted(workspace, {"backup", "--set", "b"});
    });
    auto ra = a.get();
    auto rb = b.get();
    EXPECT_EQ(ra.exit_code, 0) << ra.stderr_text;
    EXPECT_EQ(rb.exit_code, 0) << rb.stderr_text;
  }
  expect_all_verify(workspace);
  expect_clean(workspace, "app");
  expect_clean(workspace, "b");
}

TEST(ConcurrencyTest, BackupAndPruneRaceOnOneSet) {
  SqliteWorkspace workspace("[set.retention]\nkeep_last = 2\n");
  workspace.fill(300, 2000, /*wal=*/true);
  ASSERT_EQ(counted(workspace, {"backup"}).exit_code, 0);
  std::map<std::string, int> outcomes;
  for (int round = 0; round < case_count(6, 40); ++round) {
    auto backup = std::async(std::launch::async, [&] { return counted(workspace, {"backup"}); });
    auto prune = std::async(std::launch::async, [&] { return counted(workspace, {"prune"}); });
    for (auto* run : {&backup, &prune}) {
      auto result = run->get();
      EXPECT_TRUE(result.exit_code == 0 || result.exit_code == 4)
          << "exit " << result.exit_code << ": " << result.stderr_text;
      if (result.exit_code == 4) {
        EXPECT_NE(result.stderr_text.find("another dbkeep"), std::string::npos)
            << result.stderr_text;
      }
      outcomes[(run == &backup ? "backup exit " : "prune exit ") +
               std::to_string(result.exit_code)]++;
    }
  }
  std::cout << "[ concur   ] backup/prune race:";
  for (const auto& [what, count] : outcomes) std::cout << " " << what << " ×" << count << ";";
  std::cout << "\n";
  EXPECT_LE(workspace.listed_ids().size(), 3U);
  expect_all_verify(workspace);
  ASSERT_EQ(counted(workspace, {"backup"}).exit_code, 0);
  expect_clean(workspace, "app");
}

}  // namespace
}  // namespace dbkeep::test::reliability
