#include <unistd.h>

#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/file_owner.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/ops/atomic_file.hpp"
#include "dbkeep/ops/schedule_files.hpp"

namespace dbkeep::cli {
namespace {

namespace fs = std::filesystem;

Result<ops::ScheduleTarget> read_target(CommandContext& context) {
  ops::ScheduleTarget target;
  target.systemd = context.args().flag("--systemd");
  TRY_ASSIGN(auto name, context.args().option("--name"));
  if (name) target.name = *name;
  TRY_ASSIGN(auto root, context.args().option("--root"));
  if (root) target.root = *root;
  TRY_ASSIGN(auto user, context.args().option("--user"));
  if (user) {
    // The same rule as [set.restore] owner's names; cron and systemd take a name, not a uid.
    auto owner = core::FileOwner::parse(*user);
    std::optional<std::string> account;
    if (owner && !owner->group) {
      if (auto resolved = core::resolve_owner(*owner)) account = resolved->account;
    }
    if (account != *user) {
      return usage_error("--user " + *user + ": not the name of an account on this machine");
    }
    target.user = *user;
  }
  std::error_code error;
  target.binary = fs::read_symlink("/proc/self/exe", error);
  if (error) return fail("cannot find the dbkeep executable: " + error.message());
  target.config_file = fs::absolute(context.global().config_path);
  return target;
}

// "2026-11-22T02:00:00Z (02:00 Europe/Berlin)": what cron sees is local time.
std::string describe_time(std::chrono::sys_seconds when, const core::TimeZone& zone) {
  std::string local =
      core::format_iso_utc(std::chrono::sys_seconds(zone.to_local(when).time_since_epoch()));
  return core::format_iso_utc(when) + " (" + local.substr(0, 10) + " " + local.substr(11, 5) + " " +
         zone.name() + ")";
}

Result<int> install(CommandContext& context, const ops::ScheduleTarget& target) {
  TRY_ASSIGN(auto* config, context.config());
  TRY_ASSIGN(auto report, ops::install_schedule(*config, target));
  nlohmann::json written = nlohmann::json::array(), unchanged = written, removed = written;
  for (const auto& path : report.written) {
    context.print("wrote " + path.string() + "\n");
    written.push_back(path.string());
  }
  for (const auto& path : report.unchanged) {
    context.print("unchanged " + path.string() + "\n");
    unchanged.push_back(path.string());
  }
  for (const auto& path : report.removed) {
    context.print("removed " + path.string() + " (its set is no longer configured)\n");
    removed.push_back(path.string());
  }
  if (target.systemd) {
    context.print("now run: systemctl daemon-reload && systemctl enable --now " + target.name +
                  "@<set>.timer (for each set)\n");
  }
  if (context.global().json) {
    context.print_json(
        {{"ok", true}, {"written", written}, {"unchanged", unchanged}, {"removed", removed}});
  }
  return 0;
}

Result<int> remove(CommandContext& context, const ops::ScheduleTarget& target) {
  TRY_ASSIGN(auto removed, ops::remove_schedule(target));
  nlohmann::json paths = nlohmann::json::array();
  for (const auto& path : removed) {
    context.print("removed " + path.string() + "\n");
    paths.push_back(path.string());
  }
  if (removed.empty())
    context.print("nothing installed by dbkeep in " + target.directory().string() + "\n");
  if (context.global().json) context.print_json({{"ok", true}, {"removed", paths}});
  return 0;
}

Result<int> show(CommandContext& context, const ops::ScheduleTarget& target) {
  nlohmann::json files = nlohmann::json::array();
  auto installed = ops::installed_schedule_files(target);
  if (installed.empty())
    context.print("nothing installed by dbkeep in " + target.directory().string() + "\n");
  for (const auto& path : installed) {
    TRY_ASSIGN(auto content, ops::read_whole_file(path));
    context.print("== " + path.string() + "\n" + content);
    files.push_back({{"path", path.string()}, {"content", content}});
  }
  TRY_ASSIGN(auto* config, context.config());
  TRY_ASSIGN(auto schedules, ops::parse_schedules(*config));
  nlohmann::json sets = nlohmann::json::array();
  context.print("\nnext runs:\n");
  for (const auto& [set, cron] : schedules) {
    TRY_ASSIGN(auto zone, core::TimeZone::load(set->schedule.time_zone));
    nlohmann::json times = nlohmann::json::array();
    context.print("  " + set->name + " (" + cron.text() + ")\n");
    auto when = core::now_seconds();
    for (int i = 0; i < 3; ++i) {
      auto next = cron.next_after(when, zone);
      if (!next) break;
      context.print("    " + describe_time(*next, zone) + "\n");
      times.push_back(core::format_iso_utc(*next));
      when = *next;
    }
    sets.push_back({{"set", set->name},
                    {"cron", cron.text()},
                    {"time_zone", zone.name()},
                    {"next_runs", times}});
  }
  if (context.global().json)
    context.print_json({{"ok", true}, {"installed", files}, {"sets", sets}});
  return 0;
}

}  // namespace

Result<int> schedule_command(CommandContext& context) {
  TRY_ASSIGN(auto target, read_target(context));  // options first: they take values
  auto words = context.args().positionals();
  TRY(context.args().expect_empty("schedule"));
  if (words.size() != 1) {
    return usage_error("schedule needs one of install, remove, show (see dbkeep schedule --help)");
  }
  if (words[0] == "install") return install(context, target);
  if (words[0] == "remove") return remove(context, target);
  if (words[0] == "show") return show(context, target);
  return usage_error("unknown schedule action '" + words[0] + "' (install, remove, show)");
}

}  // namespace dbkeep::cli
