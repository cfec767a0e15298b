#pragma once
// The numbers the reliability suite reports (issue 12): every test adds to these counters and
// the suite's environment prints them as one table when the binary ends, failing the run if a
// must-be-zero count is not zero.

#include <atomic>
#include <cstdint>
#include <random>
#include <string>

namespace dbkeep::test::reliability {

struct Counters {
  std::atomic<std::uint64_t> runs{0};             // dbkeep invocations
  std::atomic<std::uint64_t> faults_injected{0};  // kills, corruptions, bad inputs, full disks
  std::atomic<std::uint64_t> backups_verified{0};
  std::atomic<std::uint64_t> data_lost{0};        // must be 0: undetected damage, wrong restore
  std::atomic<std::uint64_t> leftovers_found{0};  // must be 0: after the next run cleaned up
  std::atomic<std::uint64_t> secrets_leaked{0};   // must be 0
};

Counters& counters();

// DBKEEP_RELIABILITY_LONG=1 selects the long variants (more cases, more kills).
bool long_variant();
// `default_count`, or `long_count` in the long variant.
int case_count(int default_count, int long_count);

// One generator per test, seeded from DBKEEP_RELIABILITY_SEED (default 12) plus `salt`, so a
// failing case can be replayed; the seed is printed with every failure message.
std::mt19937_64 seeded_generator(std::uint64_t salt);
std::uint64_t base_seed();

}  // namespace dbkeep::test::reliability
