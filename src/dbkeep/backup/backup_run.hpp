#pragma once
// One backup run of a set with everything operations wants around it, the same for every
// method and for both callers (the backup command and the daemon):
//   pre_backup hook → backup (skipped if the hook failed; the snapshot method runs the stage
//   hooks pre_lock, post_lock, post_snapshot inside it) → post_backup hook (always, so an
//   application stopped by pre_backup is started again) → on_failure hook (if anything failed)
//   → run record → metrics file → notifications.
// With [set] retries, a failed attempt (pre_backup … post_backup) is tried again after
// retry_delay; on_failure, the run record's outcome and the notification come once, after the
// last attempt, and [notify] after_failures decides whether a failure is announced.
// Hook, metrics and notification problems are logged; only the backup itself and the hooks
// decide the outcome. A failing notifier never does.

#include <memory>
#include <vector>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/config.hpp"
#include "dbkeep/ops/notifier.hpp"
#include "dbkeep/ops/run_record.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"

namespace dbkeep::backup {

// What a run needs besides the configuration; built once per process.
struct RunServices {
  core::CommandRunner* runner = nullptr;  // for hooks
  std::vector<std::unique_ptr<ops::Notifier>> notifiers;

  // Services for real runs: the system's command runner, notifiers from [notify].
  static RunServices from_config(const core::Config& config);
};

// Runs one backup of `set` with hooks, run record, metrics and notifications. Returns the
// manifest, or the backup's error (or the first hook's error when the backup itself succeeded).
Result<repo::Manifest> run_backup_with_operations(const core::Config& config,
                                                  const core::SetConfig& set,
                                                  repo::Repository& repository,
                                                  RunServices& services);

// Notes in the set's run record that a restore test passed at `at` and rewrites the metrics
// file. A set that never ran a backup through dbkeep's run records has no record: nothing to do.
Result<void> note_restore_test_passed(const core::Config& config, const std::string& set,
                                      core::Seconds at);

}  // namespace dbkeep::backup
