#include "dbkeep/archive/replay_plan.hpp"

#include <cstdio>
#include <ctime>

#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/binlog_position.hpp"

namespace dbkeep::archive {
namespace {

std::string time_text(std::int64_t seconds) {
  return core::format_iso_utc(core::Seconds(std::chrono::seconds(seconds)));
}

Result<std::int64_t> parse_target_time(const std::string& text) {
  auto bad = [&] {
    return usage_error("--to-time '" + text +
                       "': expected \"YYYY-MM-DD HH:MM:SS\" (UTC), optionally ending in Z or "
                       "an offset such as +02:00");
  };
  std::tm tm{};
  int consumed = 0;
  char separator = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &separator, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 7 ||
      (separator != ' ' && separator != 'T')) {
    return bad();
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return bad();
  }
  std::string rest = text.substr(static_cast<std::size_t>(consumed));
  std::int64_t offset = 0;
  if (rest.empty() || rest == "Z" || rest == "z" || rest == " UTC") {
    offset = 0;
  } else {
    int hours = 0;
    int minutes = 0;
    char sign = 0;
    int used = 0;
    if (std::sscanf(rest.c_str(), "%c%2d:%2d%n", &sign, &hours, &minutes, &used) != 3 ||
        static_cast<std::size_t>(used) != rest.size() || (sign != '+' && sign != '-') ||
        hours > 14 || minutes > 59) {
      return bad();
    }
    offset = (sign == '+' ? 1 : -1) * (hours * 3600 + minutes * 60);
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(::timegm(&tm)) - offset;
}

}  // namespace

std::string ReplayTarget::describe() const {
  switch (kind) {
    case TargetKind::kLatest:
      return "the last archived transaction";
    case TargetKind::kTime:
      return "the last transaction committed at or before " + time_text(time);
    case TargetKind::kGtid:
      return "transaction " + gtid;
  }
  return "";
}

Result<std::optional<ReplayTarget>> parse_replay_target(const std::optional<std::string>& to_time,
                                                        const std::optional<std::string>& to_gtid,
                                                        bool to_latest) {
  int given = (to_time ? 1 : 0) + (to_gtid ? 1 : 0) + (to_latest ? 1 : 0);
  if (given == 0) return std::optional<ReplayTarget>{};
  if (given > 1) return usage_error("give one of --to-time, --to-gtid and --to-latest");
  ReplayTarget target;
  if (to_time) {
    target.kind = TargetKind::kTime;
    TRY_ASSIGN(target.time, parse_target_time(*to_time));
  } else if (to_gtid) {
    if (to_gtid->empty()) return usage_error("--to-gtid needs a GTID such as 0-1-42");
    target.kind = TargetKind::kGtid;
    target.gtid = *to_gtid;
  }
  return std::optional<ReplayTarget>(target);
}

Result<ReplayPlan> plan_replay(const ArchiveCatalog& catalog, const repo::Manifest& base,
                               const ReplayTarget& target) {
  const std::string name = base.set + "/" + base.id;
  auto position = repo::read_binlog_position(base);
  if (!position || position->binlog_file.empty()) {
    return usage_error("backup " + name +
                       " records no binary log position (binary logging was off when it was "
                       "taken), so it cannot be rolled forward");
  }
  ReplayPlan plan;
  plan.base_id = base.id;
  plan.from = BinlogPoint{position->binlog_file, position->binlog_position};
  const std::int64_t base_time = base.started_at.time_since_epoch().count();
  if (target.kind == TargetKind::kTime && target.time < base_time) {
    return usage_error("backup " + name + " was taken at " + time_text(base_time) +
                       ", after the target " + time_text(target.time) +
                       "; restore an older backup (or give --set and let dbkeep choose)");
  }
  if (catalog.empty()) {
    return usage_error("set '" + base.set +
                       "' has no archived binary log; is `dbkeep archive "
                       "run` running? (docs/pitr.md)");
  }
  auto window_index = catalog.window_containing(plan.from, position->server_id);
  if (!window_index) {
    std::string why =
        catalog.gaps.empty() ? "" : " (the archive has gaps: " + catalog.gaps.front().reason + ")";
    return usage_error("backup " + name + "'s binlog position " + plan.from.text() +
                       " is not in the archive of set '" + base.set + "'" + why +
                       "; `dbkeep archive status` shows what the archive holds");
  }
  const auto& window = catalog.windows[*window_index];
  plan.archive_end_time = catalog.entries[window.last].last_event_time;
  const bool gap_after = *window_index + 1 < catalog.windows.size() ||
                         std::ranges::any_of(catalog.gaps, [&](const ArchiveGap& gap) {
                           return gap.before == window.last;
                         });
  // The window ends at a gap: a target past its end would silently lose what the gap held.
  auto refuse_across_gap = [&](const std::string& what) -> Result<ReplayPlan> {
    const ArchiveGap* gap = nullptr;
    for (const auto& candidate : catalog.gaps) {
      if (candidate.before >= window.last) {
        gap = &candidate;
        break;
      }
    }
    return usage_error(
        "cannot restore to " + what + ": the archive has a gap after " +
        time_text(plan.archive_end_time) + " (" + catalog.entries[window.last].end.text() +
        "): " + (gap ? gap->reason : std::string("a break in the archive")) +
        ". Restore to a time before the gap (--to-time " + time_text(plan.archive_end_time) +
        " is the last one backup " + name + " reaches), or from a backup taken after it");
  };
  if (target.kind == TargetKind::kLatest && gap_after) {
    return refuse_across_gap("the latest archived transaction");
  }
  if (target.kind == TargetKind::kTime && target.time > plan.archive_end_time) {
    if (gap_after) return refuse_across_gap(time_text(target.time));
    plan.note = "the target is after the last archived event (" + time_text(plan.archive_end_time) +
                "): everything archived is applied";
  }
  auto first = catalog.first_entry_after(plan.from, window);
  if (first) {
    for (std::size_t i = *first; i <= window.last; ++i) {
      const auto& entry = catalog.entries[i];
      if (target.kind == TargetKind::kTime && entry.first_event_time > target.time) break;
      plan.segments.push_back(i);
      plan.stored_bytes += entry.stored.stored_size;
      plan.plain_bytes += entry.stored.size;
    }
  }
  return plan;
}

Result<repo::Manifest> choose_base(const ArchiveCatalog& catalog,
                                   const std::vector<repo::Manifest>& backups,
                                   const ReplayTarget& target) {
  for (const auto& manifest : backups) {
    if (target.kind == TargetKind::kTime &&
        manifest.started_at.time_since_epoch().count() > target.time) {
      continue;
    }
    if (plan_replay(catalog, manifest, target)) return manifest;
  }
  return usage_error("no backup can be rolled forward to " + target.describe() +
                     ": none was taken before it with its binlog position in the archive "
                     "(`dbkeep archive status` lists the bases and windows)");
}

}  // namespace dbkeep::archive
