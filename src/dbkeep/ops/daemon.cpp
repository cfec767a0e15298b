#include "dbkeep/ops/daemon.hpp"

#include <nlohmann/json.hpp>
#include <thread>

#include "dbkeep/core/bounded_json.hpp"
#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/private_directory.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/ops/atomic_file.hpp"

namespace dbkeep::ops {

sys_seconds SystemClock::now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

bool SystemClock::sleep_until(sys_seconds until) {
  while (!core::cancellation_requested()) {
    if (std::chrono::system_clock::now() >= until) return true;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return false;
}

Result<void> DaemonState::load() {
  std::error_code error;
  if (!std::filesystem::exists(file_, error)) return {};
  TRY_ASSIGN(auto text, read_whole_file(file_));
  auto parsed = core::parse_bounded_json(text);
  if (!parsed || !parsed->is_object() || !parsed->contains("last_run") ||
      !(*parsed)["last_run"].is_object()) {
    return fail(file_.string() + " is malformed; remove it to start the schedule afresh");
  }
  for (const auto& [set, value] : (*parsed)["last_run"].items()) {
    auto time = value.is_string() ? core::parse_iso_utc(value.get<std::string>()) : std::nullopt;
    if (!time) return fail(file_.string() + ": bad time for set '" + set + "'");
    last_run_[set] = *time;
  }
  return {};
}

Result<void> DaemonState::save() const {
  TRY(core::create_private_directories(file_.parent_path()));  // the state directory: 0700
  nlohmann::json last_run = nlohmann::json::object();
  for (const auto& [set, time] : last_run_) last_run[set] = core::format_iso_utc(time);
  return write_file_atomically(file_, nlohmann::json{{"last_run", last_run}}.dump(2) + "\n", 0640);
}

std::optional<sys_seconds> DaemonState::last_run(const std::string& set) const {
  auto it = last_run_.find(set);
  if (it == last_run_.end()) return std::nullopt;
  return it->second;
}

Result<void> Daemon::run_and_record(const ScheduledSet& set, sys_seconds decided_at) {
  bool ok = run_set_(set.name);
  // A run cut short by SIGTERM does not count: the next start makes it up.
  if (!ok && core::cancellation_requested()) return {};
  if (!ok) log::warn("scheduled backup of set '" + set.name + "' failed; next at its next time");
  state_.set_last_run(set.name, decided_at);
  return state_.save();
}

Result<int> Daemon::run_once() {
  int failures = 0;
  for (const auto& set : sets_) {
    if (core::cancellation_requested()) break;
    auto decided_at = clock_.now();
    bool ok = run_set_(set.name);
    if (!ok) ++failures;
    if (!ok && core::cancellation_requested()) break;
    state_.set_last_run(set.name, decided_at);
    TRY(state_.save());
  }
  return failures;
}

Result<std::optional<sys_seconds>> Daemon::step() {
  std::optional<sys_seconds> wake;
  for (const auto& set : sets_) {
    if (core::cancellation_requested()) return std::optional<sys_seconds>();
    auto now = clock_.now();
    auto last = state_.last_run(set.name);
    if (!last) {
      // Never seen: start counting from now rather than running at once.
      state_.set_last_run(set.name, now);
      TRY(state_.save());
      last = now;
    }
    auto due = set.cron.next_after(*last, set.zone);
    if (due && *due <= now) {
      if (now - *due >= std::chrono::minutes(1)) {
        log::info("set '" + set.name + "' missed its run at " + core::format_iso_utc(*due) +
                  "; running it now (once)");
      }
      TRY(run_and_record(set, now));
      due = set.cron.next_after(now, set.zone);
    }
    if (due && (!wake || *due < *wake)) wake = due;
  }
  return wake;
}

Result<void> Daemon::run_until_stopped() {
  while (true) {
    TRY_ASSIGN(auto wake, step());
    if (!wake) {
      if (core::cancellation_requested()) return {};
      return fail("no set has a future run time");
    }
    log::debug("next scheduled run at " + core::format_iso_utc(*wake));
    if (!clock_.sleep_until(*wake)) return {};
  }
}

}  // namespace dbkeep::ops
