#pragma once
// Runs the [set.hooks] commands of a backup run: argument vectors through a CommandRunner
// (never a shell), each with the configured timeout, and the run's facts in DBKEEP_* variables:
//   DBKEEP_HOOK, DBKEEP_STAGE   the hook's name: pre_backup | pre_lock | post_lock |
//                               post_snapshot | post_backup | on_failure
//   DBKEEP_SET         the set's name
//   DBKEEP_STATUS      running (before the backup ends) | success | failed
//   DBKEEP_BACKUP_ID   the backup's id (stage hooks: the id being written; after: committed)
//   DBKEEP_ERROR       the failure message (after a failure)
//   DBKEEP_SIZE_BYTES, DBKEEP_STORED_BYTES, DBKEEP_DURATION_MS   (after the backup)
// Stage hooks (pre_lock, post_lock, post_snapshot) add the facts the source passes, e.g.
// DBKEEP_LOCK_HELD_MS, DBKEEP_BINLOG_FILE, DBKEEP_SNAPSHOT_PATH (docs/snapshot.md lists them).
// A hook's output goes to the log (debug level; warnings when it fails).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/config.hpp"
#include "dbkeep/ops/run_record.hpp"

namespace dbkeep::ops {

enum class HookKind { kPreBackup, kPreLock, kPostLock, kPostSnapshot, kPostBackup, kOnFailure };

const char* hook_name(HookKind kind);
// The stage hook called `name` (pre_lock, post_lock, post_snapshot), if it is one.
std::optional<HookKind> stage_hook_kind(std::string_view name);

// The environment a hook sees for `record` (the run so far; `finished` false before the backup).
std::map<std::string, std::string> hook_environment(HookKind kind, const RunRecord& record,
                                                    bool finished);

// One line per configured hook whose program cannot be found or run ("[set.hooks] post_lock:
// program /x not found or not executable"). Checked before a backup starts, since a missing
// post_lock program would otherwise be found with the global lock taken and the snapshot made,
// and by check-config.
std::vector<std::string> hook_program_problems(const core::HooksConfig& hooks);

class HookRunner {
 public:
  HookRunner(const core::HooksConfig& hooks, core::CommandRunner& runner)
      : hooks_(hooks), runner_(runner) {}

  // Runs the hook of `kind` if configured. A non-zero exit, a timeout or a failure to start is
  // an error naming the hook and the command.
  Result<void> run(HookKind kind, const RunRecord& record, bool finished);
  // Runs the stage hook `stage` (unknown names are an error) during the backup, with
  // `source_facts` added to the environment of a running backup.
  Result<void> run_stage(std::string_view stage, const RunRecord& record,
                         const std::map<std::string, std::string>& source_facts);

 private:
  const std::vector<std::string>& command_of(HookKind kind) const;
  Result<void> run_command(HookKind kind, std::map<std::string, std::string> env);
  const core::HooksConfig& hooks_;
  core::CommandRunner& runner_;
};

}  // namespace dbkeep::ops
