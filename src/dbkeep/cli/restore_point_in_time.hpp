#pragma once
// The point-in-time half of `restore` (docs/pitr.md): --to-time, --to-gtid, --to-latest and
// --dry-run, shared by the logical (--to-server) and datadir (--datadir) restores. The plan
// is made before anything is written; the roll-forward runs after the base is restored.

#include <optional>
#include <string>

#include "dbkeep/archive/binlog_replay.hpp"
#include "dbkeep/archive/replay_plan.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/temp_dir.hpp"

namespace dbkeep::cli {

// --to-time / --to-gtid / --to-latest; nullopt when none is given.
Result<std::optional<archive::ReplayTarget>> replay_target_from_flags(Arguments& args);

// What a restore names: the backup ID (exactly one positional, or none when a target lets
// --set choose the base), the point-in-time target and --dry-run (only with a target).
struct RestoreSelection {
  std::optional<std::string> id;
  std::optional<archive::ReplayTarget> target;
  bool dry_run = false;
};
Result<RestoreSelection> restore_selection_from_args(Arguments& args);

struct PointInTimePlan {
  archive::ReplayTarget target;
  archive::ArchiveCatalog catalog;
  archive::ReplayPlan plan;
  repo::Manifest base;
};

// The base is the backup `id` names, or (no id) the newest of `set` the target can be reached
// from. Everything is checked here: the archive, the base's place in it, gaps.
Result<PointInTimePlan> plan_point_in_time(CommandContext& context,
                                           const std::optional<std::string>& id,
                                           const std::optional<std::string>& set,
                                           const archive::ReplayTarget& target);

// Human lines and JSON for the plan (what --dry-run prints, and what a restore reports).
std::string describe_plan(const PointInTimePlan& plan);
nlohmann::json plan_to_json(const PointInTimePlan& plan);

// The replay file, written (segments fetched and checked) before the base is restored, so a
// missing or corrupt segment refuses the restore with nothing written. It lives in private
// scratch space under the state directory, removed with this object.
struct PreparedReplay {
  core::TempDir scratch;
  std::filesystem::path file;
  archive::ReplayedRange range;
};
Result<PreparedReplay> prepare_roll_forward(CommandContext& context, const PointInTimePlan& plan);

// Applies the prepared replay file to the server `target` connects to.
Result<void> apply_roll_forward(const PreparedReplay& prepared,
                                const source::mysql::ConnectionOptions& target,
                                archive::ApplyOptions options);

nlohmann::json replayed_to_json(const archive::ReplayedRange& replayed);
std::string describe_replayed(const archive::ReplayedRange& replayed);

}  // namespace dbkeep::cli
