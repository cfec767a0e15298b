#pragma once
// Runs the [set.hooks] commands of a backup run: argument vectors through a CommandRunner
// (never a shell), each with the configured timeout, and the run's facts in DBKEEP_* variables:
//   DBKEEP_HOOK        pre_backup | post_backup | on_failure
//   DBKEEP_SET         the set's name
//   DBKEEP_STATUS      running (pre_backup) | success | failed
//   DBKEEP_BACKUP_ID   the committed backup's id (after a success)
//   DBKEEP_ERROR       the failure message (after a failure)
//   DBKEEP_SIZE_BYTES, DBKEEP_STORED_BYTES, DBKEEP_DURATION_MS   (after the backup)
// A hook's output goes to the log (debug level; warnings when it fails).

#include <map>
#include <string>
#include <vector>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/config.hpp"
#include "dbkeep/ops/run_record.hpp"

namespace dbkeep::ops {

enum class HookKind { kPreBackup, kPostBackup, kOnFailure };

const char* hook_name(HookKind kind);

// The environment a hook sees for `record` (the run so far; `finished` false before the backup).
std::map<std::string, std::string> hook_environment(HookKind kind, const RunRecord& record,
                                                    bool finished);

class HookRunner {
 public:
  HookRunner(const core::HooksConfig& hooks, core::CommandRunner& runner)
      : hooks_(hooks), runner_(runner) {}

  // Runs the hook of `kind` if configured. A non-zero exit, a timeout or a failure to start is
  // an error naming the hook and the command.
  Result<void> run(HookKind kind, const RunRecord& record, bool finished);

 private:
  const std::vector<std::string>& command_of(HookKind kind) const;
  const core::HooksConfig& hooks_;
  core::CommandRunner& runner_;
};

}  // namespace dbkeep::ops
