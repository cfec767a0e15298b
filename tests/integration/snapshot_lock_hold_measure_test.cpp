// Measures, not asserts: how long the snapshot method holds the global lock on a real btrfs
// volume while the bank writer commits transfers. Runs DBKEEP_LOCK_SAMPLES backups (default 10)
// and prints the median and maximum hold time and how the window splits into its steps
// (record the position, create the snapshot, unlock). Timing depends on the machine's load, so
// the figures go to the test output for the docs and the issue, never into an assertion; the
// test fails only when a backup fails or does not report its lock facts.
//
//   DBKEEP_LOCK_SAMPLES=20 ctest -R SnapshotLockHoldMeasurement -V
//   DBKEEP_TEST_BINARY=/other/build/dbkeep ...      # the same against another build
//   DBKEEP_LOCK_SET_KEYS='...'                     # extra [set.snapshot] keys, e.g.
//                                                  # sync_before_lock = false

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "support/bank_writer.hpp"
#include "support/snapshot_workspace.hpp"

namespace dbkeep::test {
namespace {

struct Samples {
  std::vector<std::int64_t> values;
  void add(std::int64_t value) { values.push_back(value); }
  std::int64_t median() {
    std::ranges::sort(values);
    return values.empty() ? 0 : values[values.size() / 2];
  }
  std::int64_t max() const { return values.empty() ? 0 : std::ranges::max(values); }
};

int sample_count() {
  const char* text = std::getenv("DBKEEP_LOCK_SAMPLES");
  return text ? std::max(1, std::atoi(text)) : 10;
}

TEST(SnapshotLockHoldMeasurement, GlobalLockHoldTimeUnderBankLoad) {
  if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
    GTEST_SKIP() << "lock hold measurement skipped: " << reason;
  }
  auto workspace = SnapshotWorkspace::create();
  ASSERT_TRUE(workspace) << workspace.error().message;
  (*workspace)->write_config("compression = \"none\"\n");
  if (const char* extra = std::getenv("DBKEEP_LOCK_SET_KEYS")) {
    std::ofstream((*workspace)->config(), std::ios::app) << extra << "\n";
  }
  BankWriter bank((*workspace)->server().root_options(), BankOptions{.writer_threads = 2});
  ASSERT_TRUE(bank.create_tables());
  ASSERT_TRUE(bank.start());

  Samples held, record, snapshot, unlock, wait, sync;
  const int count = sample_count();
  for (int i = 0; i < count; ++i) {
    auto backup = (*workspace)->dbkeep_json({"backup"});
    ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
    auto manifest = (*workspace)->dbkeep_json({"show", backup["backups"][0]["id"]});
    const auto& lock = manifest["facts"]["lock"];
    ASSERT_TRUE(lock["held_us"].is_number()) << manifest["facts"].dump();
    held.add(lock["held_us"].get<std::int64_t>());
    wait.add(lock["wait_ms"].get<std::int64_t>() * 1000);
    if (lock.contains("steps_us")) {  // absent from builds before the steps were recorded
      record.add(lock["steps_us"]["record_position"].get<std::int64_t>());
      snapshot.add(lock["steps_us"]["snapshot"].get<std::int64_t>());
      unlock.add(lock["steps_us"]["unlock"].get<std::int64_t>());
    }
    if (lock.contains("sync_before_ms"))
      sync.add(lock["sync_before_ms"].get<std::int64_t>() * 1000);
  }
  bank.stop();
  EXPECT_GT(bank.commits(), 0U) << "the writer must commit during the backups";

  auto line = [](const char* name, Samples& samples) {
    std::cerr << "[ lock     ] " << name << ": median " << samples.median() / 1000.0 << " ms, max "
              << samples.max() / 1000.0 << " ms\n";
  };
  std::cerr << "[ lock     ] " << count << " backups, " << bank.commits()
            << " transfers committed meanwhile\n";
  line("held            ", held);
  line("  record position", record);
  line("  snapshot       ", snapshot);
  line("  unlock         ", unlock);
  line("lock wait       ", wait);
  line("sync before lock", sync);
}

}  // namespace
}  // namespace dbkeep::test
