#include "dbkeep/backup/backup_plan.hpp"
#include "dbkeep/backup/backup_run.hpp"
#include "dbkeep/cli/archiver_threads.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/plan_view.hpp"
#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/ops/daemon.hpp"
#include "dbkeep/ops/schedule_files.hpp"

namespace dbkeep::cli {
namespace {

// When the daemon would next run `set` if it started now: "now" for a missed run or
// run_at_start, else its next cron time. The same rule as ops::Daemon::step(), read-only.
std::string next_run_text(const ops::ScheduledSet& set, const ops::DaemonState& state,
                          bool run_now) {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (run_now) return "now";
  auto last = state.last_run(set.name);
  auto due = set.cron.next_after(last.value_or(now), set.zone);
  if (!due) return "never (the schedule has no future time)";
  if (*due <= now) return "now (missed its run at " + core::format_iso_utc(*due) + ")";
  return core::format_iso_utc(*due) + (last ? "" : " (first run: the daemon has not seen it yet)");
}

// daemon --dry-run: the schedule as the daemon would follow it from now, and each set's plan.
Result<int> print_daemon_plan(CommandContext& context, const core::Config& config,
                              repo::Repository& repository,
                              const std::vector<ops::ScheduledSet>& sets,
                              const ops::DaemonState& state, bool once) {
  context.print("dry run: the daemon would run " + std::to_string(sets.size()) +
                " sets; nothing is locked, snapshotted, copied or deleted\n");
  nlohmann::json plans = nlohmann::json::array();
  bool all_fine = true;
  for (const auto& scheduled : sets) {
    TRY_ASSIGN(const auto* set, config.find_set(scheduled.name));
    std::string next = next_run_text(scheduled, state, once || config.daemon.run_at_start);
    context.print("set '" + set->name + "': cron \"" + set->schedule.cron + "\" in " +
                  set->schedule.time_zone + ", next run " + next + "\n");
    auto plan = backup::plan_backup(config, *set, repository);
    all_fine = all_fine && plan.problems.empty();
    context.print(plan_text(plan));
    auto json = plan_json(plan);
    json["cron"] = set->schedule.cron;
    json["next_run"] = next;
    plans.push_back(std::move(json));
  }
  if (context.global().json) {
    context.print_json({{"ok", all_fine}, {"dry_run", true}, {"sets", plans}});
  }
  return all_fine ? 0 : 1;
}

}  // namespace

// Runs the configured schedule in the foreground (containers, or instead of cron). SIGTERM or
// SIGINT cancels a running backup the same way as for `dbkeep backup` (its guards undo what it
// holds, its post_backup hook still runs) and then ends the daemon.
Result<int> daemon_command(CommandContext& context) {
  bool once = context.args().flag("--once");
  bool dry_run = context.args().flag("--dry-run");
  TRY(context.args().expect_empty("daemon"));
  TRY_ASSIGN(auto* config, context.config());
  // Its first backup (or archiver) on a new encrypted repository creates the key, as `backup` does.
  if (!dry_run) context.allow_key_creation();
  TRY_ASSIGN(auto* repository, context.repository());
  TRY_ASSIGN(auto schedules, ops::parse_schedules(*config));
  std::vector<ops::ScheduledSet> sets;
  for (auto& [set, cron] : schedules) {
    TRY_ASSIGN(auto zone, core::TimeZone::load(set->schedule.time_zone));
    sets.push_back({set->name, std::move(cron), std::move(zone)});
  }
  ops::DaemonState state(config->repository.state_dir / "daemon.json");
  TRY(state.load());
  if (dry_run) return print_daemon_plan(context, *config, *repository, sets, state, once);

  auto services = backup::RunServices::from_config(*config);
  auto run_set = [&](const std::string& name) {
    auto set = config->find_set(name);
    if (!set) return false;
    auto manifest = backup::run_backup_with_operations(*config, **set, *repository, services);
    if (!manifest) log::error("backup of set '" + name + "' failed: " + manifest.error().message);
    return manifest.has_value();
  };
  ops::SystemClock clock;
  ops::Daemon daemon(std::move(sets), state, clock, run_set);
  if (once) {
    TRY_ASSIGN(int failures, daemon.run_once());
    if (core::cancellation_requested()) TRY(core::check_cancellation());
    context.print(std::to_string(schedules.size() - static_cast<std::size_t>(failures)) + " of " +
                  std::to_string(schedules.size()) + " sets backed up\n");
    if (context.global().json) {
      context.print_json({{"ok", failures == 0}, {"sets", schedules.size()}, {"failed", failures}});
    }
    return failures == 0 ? 0 : 1;
  }
  // [set.archive]: the binlog archivers run beside the schedule until the daemon stops. A set
  // an `archive run` elsewhere already archives is left to it.
  std::vector<const core::SetConfig*> archived;
  for (const auto& set : config->sets) {
    if (set.archive.enabled && set.mysql) archived.push_back(&set);
  }
  std::unique_ptr<ArchiverThreads> archivers;
  if (!archived.empty()) {
    TRY_ASSIGN(archivers, ArchiverThreads::start(*config, repository->backend(), archived, true));
  }
  log::info("daemon started with " + std::to_string(schedules.size()) + " scheduled sets" +
            (archivers ? " and " + std::to_string(archivers->size()) + " archived" : "") +
            "; SIGTERM stops it");
  if (config->daemon.run_at_start) {
    // [daemon] run_at_start: every set once now (as --once), then the schedule counts from here.
    log::info("run_at_start: backing up every set now");
    TRY_ASSIGN(int failures, daemon.run_once());
    if (failures > 0) log::warn(std::to_string(failures) + " sets failed their start-up backup");
    if (core::cancellation_requested()) {
      if (archivers) TRY(archivers->join());
      log::info("daemon stopped");
      return 0;
    }
  }
  TRY(daemon.run_until_stopped());
  if (archivers) TRY(archivers->join());
  log::info("daemon stopped");
  return 0;
}

}  // namespace dbkeep::cli
