#pragma once
// The scheduler behind `dbkeep daemon`: runs each set when its cron expression says, one run at
// a time (sets run one after another in this one thread), in the foreground until SIGTERM.
//
// Catch-up: a small state file remembers, per set, the time the daemon last ran it. At every
// wake-up a set is due when its next cron time after that remembered time has passed, so runs
// missed while the daemon was down (or busy) collapse into one run, started at once. A set the
// state file has never seen is not run at start; it waits for its first cron time.
//
// Time and sleeping come from a Clock, so tests drive days of schedule in microseconds.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/time_zone.hpp"
#include "dbkeep/ops/cron_expression.hpp"

namespace dbkeep::ops {

using std::chrono::sys_seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual sys_seconds now() = 0;
  // Sleeps until `until`; returns false if the daemon should stop instead (SIGTERM).
  virtual bool sleep_until(sys_seconds until) = 0;
};

// Wall clock; sleeps in one-second slices so SIGTERM and clock jumps are noticed quickly.
class SystemClock final : public Clock {
 public:
  sys_seconds now() override;
  bool sleep_until(sys_seconds until) override;
};

// <state_dir>/daemon.json: {"last_run": {"<set>": "<ISO time>"}}, written atomically.
class DaemonState {
 public:
  explicit DaemonState(std::filesystem::path file) : file_(std::move(file)) {}
  Result<void> load();  // a missing file is an empty state
  Result<void> save() const;
  [[nodiscard]] std::optional<sys_seconds> last_run(const std::string& set) const;
  void set_last_run(const std::string& set, sys_seconds time) { last_run_[set] = time; }

 private:
  std::filesystem::path file_;
  std::map<std::string, sys_seconds> last_run_;
};

struct ScheduledSet {
  std::string name;
  CronExpression cron;
  core::TimeZone zone;
};

// Runs one backup of the named set; returns whether it succeeded (errors are the callee's to log).
using RunSetFunction = std::function<bool(const std::string& set)>;

class Daemon {
 public:
  Daemon(std::vector<ScheduledSet> sets, DaemonState& state, Clock& clock, RunSetFunction run_set)
      : sets_(std::move(sets)), state_(state), clock_(clock), run_set_(std::move(run_set)) {}

  // Runs every set once, now, whatever the schedule (--once). Returns the number that failed.
  Result<int> run_once();
  // Runs due sets and returns when the next one is due. Stops early (returning nullopt) when
  // cancellation is requested between two runs.
  Result<std::optional<sys_seconds>> step();
  // step() and sleep until the clock says stop.
  Result<void> run_until_stopped();

 private:
  Result<void> run_and_record(const ScheduledSet& set, sys_seconds decided_at);
  std::vector<ScheduledSet> sets_;
  DaemonState& state_;
  Clock& clock_;
  RunSetFunction run_set_;
};

}  // namespace dbkeep::ops
