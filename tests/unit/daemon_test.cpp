#include "dbkeep/ops/daemon.hpp"

#include <gtest/gtest.h>

#include "dbkeep/core/time_format.hpp"
#include "dbkeep/ops/atomic_file.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::ops {
namespace {

using std::chrono::sys_seconds;

sys_seconds at(const char* iso) {
  return *core::parse_iso_utc(iso);
}

// Time stands still until the daemon sleeps; sleeping jumps straight to the wake-up time. Stops
// the daemon after `sleeps_left` sleeps.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(sys_seconds start) : now_(start) {}
  sys_seconds now() override { return now_; }
  bool sleep_until(sys_seconds until) override {
    if (sleeps_left-- <= 0) return false;
    wake_ups.push_back(until);
    now_ = std::max(now_, until);
    return true;
  }
  void advance_to(sys_seconds time) { now_ = time; }
  int sleeps_left = 0;
  std::vector<sys_seconds> wake_ups;

 private:
  sys_seconds now_;
};

class DaemonTest : public ::testing::Test {
 protected:
  std::vector<ScheduledSet> sets(std::vector<std::pair<std::string, std::string>> crons) {
    std::vector<ScheduledSet> out;
    for (auto& [name, cron] : crons) {
      out.push_back({name, *CronExpression::parse(cron), *core::TimeZone::load("UTC")});
    }
    return out;
  }
  RunSetFunction recorder() {
    return [this](const std::string& set) {
      runs.push_back(set + "@" + core::format_iso_utc(clock.now()));
      return set != "broken";
    };
  }

  core::TempDir dir = test::make_temp_dir();
  std::filesystem::path state_file = dir.path() / "daemon.json";
  FakeClock clock{at("2026-11-22T10:00:00Z")};
  std::vector<std::string> runs;
};

TEST_F(DaemonTest, MissedRunsAfterDowntimeRunOnceThenTheScheduleResumes) {
  {  // The daemon last ran "main" on Monday at 02:00 and then was down until Wednesday 10:00.
    DaemonState earlier(state_file);
    earlier.set_last_run("main", at("2026-11-16T02:00:00Z"));
    ASSERT_TRUE(earlier.save());
  }
  DaemonState state(state_file);
  ASSERT_TRUE(state.load());
  clock.advance_to(at("2026-11-18T10:00:00Z"));
  clock.sleeps_left = 2;
  Daemon daemon(sets({{"main", "0 2 * * *"}}), state, clock, recorder());
  ASSERT_TRUE(daemon.run_until_stopped());

  // Tuesday's and Wednesday's 02:00 runs collapse into one run at start; then Thursday, Friday.
  EXPECT_EQ(runs,
            (std::vector<std::string>{"main@2026-11-18T10:00:00Z", "main@2026-11-19T02:00:00Z",
                                      "main@2026-11-20T02:00:00Z"}));
  DaemonState reloaded(state_file);
  ASSERT_TRUE(reloaded.load());
  EXPECT_EQ(reloaded.last_run("main"), at("2026-11-20T02:00:00Z"));
}

TEST_F(DaemonTest, ANewSetWaitsForItsFirstTimeInsteadOfRunningAtStart) {
  DaemonState state(state_file);
  ASSERT_TRUE(state.load());
  clock.sleeps_left = 1;
  Daemon daemon(sets({{"main", "0 2 * * *"}, {"often", "*/30 * * * *"}}), state, clock, recorder());
  ASSERT_TRUE(daemon.run_until_stopped());
  EXPECT_EQ(clock.wake_ups.front(), at("2026-11-22T10:30:00Z"));
  EXPECT_EQ(runs, std::vector<std::string>{"often@2026-11-22T10:30:00Z"});
  EXPECT_EQ(state.last_run("main"), at("2026-11-22T10:00:00Z"));
}

TEST_F(DaemonTest, AFailedRunIsNotRepeatedUntilItsNextTime) {
  DaemonState state(state_file);
  state.set_last_run("broken", at("2026-11-22T09:00:00Z"));
  clock.sleeps_left = 1;
  Daemon daemon(sets({{"broken", "0 * * * *"}}), state, clock, recorder());
  ASSERT_TRUE(daemon.run_until_stopped());
  EXPECT_EQ(runs, (std::vector<std::string>{"broken@2026-11-22T10:00:00Z",
                                            "broken@2026-11-22T11:00:00Z"}));
}

TEST_F(DaemonTest, OnceRunsEverySetAndCountsFailures) {
  DaemonState state(state_file);
  Daemon daemon(sets({{"main", "0 2 * * *"}, {"broken", "0 3 * * *"}}), state, clock, recorder());
  auto failures = daemon.run_once();
  ASSERT_TRUE(failures);
  EXPECT_EQ(*failures, 1);
  EXPECT_EQ(runs.size(), 2u);
  EXPECT_EQ(state.last_run("broken"), at("2026-11-22T10:00:00Z"));
}

TEST_F(DaemonTest, MalformedStateFileIsAnErrorNotASilentReset) {
  ASSERT_TRUE(write_file_atomically(state_file, "{\"last_run\": {\"main\": \"yesterday\"}}"));
  DaemonState state(state_file);
  auto loaded = state.load();
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("bad time for set 'main'"), std::string::npos);
}

}  // namespace
}  // namespace dbkeep::ops
