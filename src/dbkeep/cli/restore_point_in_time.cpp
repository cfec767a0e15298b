#include "dbkeep/cli/restore_point_in_time.hpp"

#include "dbkeep/cli/restore_flags.hpp"
#include "dbkeep/core/free_space.hpp"
#include "dbkeep/core/private_directory.hpp"
#include "dbkeep/core/temp_dir.hpp"
#include "dbkeep/core/time_format.hpp"

namespace dbkeep::cli {
namespace {

std::string time_text(std::int64_t seconds) {
  return core::format_iso_utc(core::Seconds(std::chrono::seconds(seconds)));
}

}  // namespace

Result<std::optional<archive::ReplayTarget>> replay_target_from_flags(Arguments& args) {
  TRY_ASSIGN(auto to_time, args.option("--to-time"));
  TRY_ASSIGN(auto to_gtid, args.option("--to-gtid"));
  bool to_latest = args.flag("--to-latest");
  return archive::parse_replay_target(to_time, to_gtid, to_latest);
}

Result<RestoreSelection> restore_selection_from_args(Arguments& args) {
  RestoreSelection selection;
  TRY_ASSIGN(selection.target, replay_target_from_flags(args));
  selection.dry_run = args.flag("--dry-run");
  auto ids = args.positionals();
  TRY(args.expect_empty("restore"));
  if (ids.size() > 1 || (ids.empty() && !selection.target)) {
    return usage_error(
        "dbkeep restore needs exactly one backup ID (with --to-time, --to-gtid or "
        "--to-latest, --set NAME instead picks the base)");
  }
  if (!ids.empty()) selection.id = ids.front();
  return selection;
}

Result<PointInTimePlan> plan_point_in_time(CommandContext& context,
                                           const std::optional<std::string>& id,
                                           const std::optional<std::string>& set,
                                           const archive::ReplayTarget& target) {
  TRY_ASSIGN(auto* repository, context.repository());
  PointInTimePlan result;
  result.target = target;
  if (id) {
    TRY_ASSIGN(result.base, find_backup(context, *id, set));
    TRY_ASSIGN(result.catalog, archive::load_archive(repository->backend(), result.base.set));
  } else {
    if (!set) {
      return usage_error(
          "name the backup to start from, or give --set NAME and dbkeep picks the "
          "newest backup the target can be reached from");
    }
    TRY_ASSIGN(result.catalog, archive::load_archive(repository->backend(), *set));
    TRY_ASSIGN(auto catalog, repository->list(set));
    TRY_ASSIGN(result.base, archive::choose_base(result.catalog, catalog.backups, target));
  }
  TRY_ASSIGN(result.plan, archive::plan_replay(result.catalog, result.base, target));
  return result;
}

std::string describe_plan(const PointInTimePlan& plan) {
  const auto& replay = plan.plan;
  std::string text = "point-in-time restore to " + plan.target.describe() + "\n";
  text += "  base      " + plan.base.set + "/" + plan.base.id + " (" +
          std::string(core::to_string(plan.base.method)) + ", taken " +
          core::format_iso_utc(plan.base.started_at) + ", binlog " + replay.from.text() + ")\n";
  if (replay.segments.empty()) {
    text += "  segments  none: nothing was archived after the base\n";
  } else {
    const auto& first = plan.catalog.entries[replay.segments.front()];
    const auto& last = plan.catalog.entries[replay.segments.back()];
    text += "  segments  " + std::to_string(replay.segments.size()) + " (" + first.id() + " .. " +
            last.id() + "), " + core::format_bytes(replay.stored_bytes) + " stored, " +
            core::format_bytes(replay.plain_bytes) + " of binlog events\n";
    text += "  archive   ends at " + time_text(replay.archive_end_time) + " (" +
            plan.catalog.entries[replay.segments.back()].end.text() + ")\n";
  }
  if (!replay.note.empty()) text += "  note      " + replay.note + "\n";
  return text;
}

nlohmann::json plan_to_json(const PointInTimePlan& plan) {
  nlohmann::json segments = nlohmann::json::array();
  for (auto index : plan.plan.segments) segments.push_back(plan.catalog.entries[index].id());
  nlohmann::json document = {{"target", plan.target.describe()},
                             {"base", plan.base.id},
                             {"base_position", plan.plan.from.text()},
                             {"segments", segments},
                             {"stored_bytes", plan.plan.stored_bytes},
                             {"event_bytes", plan.plan.plain_bytes},
                             {"archive_end_time", time_text(plan.plan.archive_end_time)}};
  if (!plan.plan.note.empty()) document["note"] = plan.plan.note;
  return document;
}

Result<PreparedReplay> prepare_roll_forward(CommandContext& context, const PointInTimePlan& plan) {
  TRY_ASSIGN(const auto* config, context.config());
  TRY_ASSIGN(auto* repository, context.repository());
  auto parent = config->repository.state_dir / "replay";
  TRY(core::create_private_directories(parent));
  TRY_ASSIGN(auto scratch, core::TempDir::create(parent, "replay-"));
  if (auto free = core::filesystem_free_bytes(scratch.path());
      free && *free < plan.plan.plain_bytes + (64ULL << 20)) {
    return usage_error("the replay needs " + core::format_bytes(plan.plan.plain_bytes) +
                       " of scratch space in " + parent.string() + ", which has " +
                       core::format_bytes(*free) + " free");
  }
  auto file = scratch.path() / "replay.binlog";
  TRY_ASSIGN(auto range, archive::write_replay_file(repository->backend(), plan.catalog, plan.plan,
                                                    plan.target, file));
  return PreparedReplay{std::move(scratch), std::move(file), range};
}

Result<void> apply_roll_forward(const PreparedReplay& prepared,
                                const source::mysql::ConnectionOptions& target,
                                archive::ApplyOptions options) {
  if (prepared.range.events == 0) return {};
  options.scratch_dir = prepared.scratch.path();
  return archive::apply_replay_file(prepared.file, target, options);
}

nlohmann::json replayed_to_json(const archive::ReplayedRange& replayed) {
  nlohmann::json document = {{"events", replayed.events},
                             {"transactions", replayed.transactions},
                             {"last_gtid", replayed.last_gtid},
                             {"end", replayed.end.text()}};
  if (replayed.last_commit_time > 0) {
    document["last_commit_time"] = time_text(replayed.last_commit_time);
  }
  return document;
}

std::string describe_replayed(const archive::ReplayedRange& replayed) {
  if (replayed.events == 0) return "rolled forward: nothing to apply after the base\n";
  return "rolled forward: " + std::to_string(replayed.transactions) + " transactions (" +
         std::to_string(replayed.events) + " events), the last committed " +
         (replayed.last_commit_time ? time_text(replayed.last_commit_time) : "-") +
         (replayed.last_gtid.empty() ? "" : " (GTID " + replayed.last_gtid + ")") + ", up to " +
         replayed.end.text() + "\n";
}

}  // namespace dbkeep::cli
