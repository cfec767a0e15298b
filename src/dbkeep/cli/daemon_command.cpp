#include "dbkeep/backup/backup_run.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/ops/daemon.hpp"
#include "dbkeep/ops/schedule_files.hpp"

namespace dbkeep::cli {

// Runs the configured schedule in the foreground (containers, or instead of cron). SIGTERM or
// SIGINT cancels a running backup the same way as for `dbkeep backup` (its guards undo what it
// holds, its post_backup hook still runs) and then ends the daemon.
Result<int> daemon_command(CommandContext& context) {
  bool once = context.args().flag("--once");
  TRY(context.args().expect_empty("daemon"));
  TRY_ASSIGN(auto* config, context.config());
  TRY_ASSIGN(auto* repository, context.repository());
  TRY_ASSIGN(auto schedules, ops::parse_schedules(*config));
  std::vector<ops::ScheduledSet> sets;
  for (auto& [set, cron] : schedules) {
    TRY_ASSIGN(auto zone, core::TimeZone::load(set->schedule.time_zone));
    sets.push_back({set->name, std::move(cron), std::move(zone)});
  }
  ops::DaemonState state(config->repository.state_dir / "daemon.json");
  TRY(state.load());

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
  log::info("daemon started with " + std::to_string(schedules.size()) +
            " scheduled sets; SIGTERM stops it");
  if (config->daemon.run_at_start) {
    // [daemon] run_at_start: every set once now (as --once), then the schedule counts from here.
    log::info("run_at_start: backing up every set now");
    TRY_ASSIGN(int failures, daemon.run_once());
    if (failures > 0) log::warn(std::to_string(failures) + " sets failed their start-up backup");
    if (core::cancellation_requested()) {
      log::info("daemon stopped");
      return 0;
    }
  }
  TRY(daemon.run_until_stopped());
  log::info("daemon stopped");
  return 0;
}

}  // namespace dbkeep::cli
