#include "dbkeep/backup/backup_run.hpp"

#include <thread>

#include "dbkeep/backup/backup_job.hpp"
#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/ops/hooks.hpp"
#include "dbkeep/ops/metrics.hpp"

namespace dbkeep::backup {
namespace {

using ops::HookKind;

// Sources record how long they held a global lock as "lock_held_ms" somewhere in their facts
// (directly or in a nested object); the first one found is the run's.
std::optional<std::int64_t> find_lock_held_ms(const nlohmann::json& facts) {
  if (!facts.is_object()) return std::nullopt;
  if (auto it = facts.find("lock_held_ms"); it != facts.end() && it->is_number_integer()) {
    return it->get<std::int64_t>();
  }
  for (const auto& [key, value] : facts.items()) {
    if (auto found = find_lock_held_ms(value)) return found;
  }
  return std::nullopt;
}

void fill_from_manifest(ops::RunRecord& record, const repo::Manifest& manifest) {
  record.backup_id = manifest.id;
  record.size_bytes = manifest.total_size();
  record.stored_bytes = manifest.total_stored_size();
  record.lock_held_ms = find_lock_held_ms(manifest.facts);
}

// Configuration mistakes fail the same way every time, and a cancelled run must stop.
bool worth_retrying(const Error& error) {
  return error.kind != ErrorKind::kUsage && error.kind != ErrorKind::kCancelled;
}

// Sleeps `delay` in short slices; false as soon as SIGTERM/SIGINT asks the run to stop.
bool wait_unless_cancelled(std::chrono::seconds delay) {
  auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until) {
    if (core::cancellation_requested()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return !core::cancellation_requested();
}

// One attempt: pre_backup hook → backup → post_backup hook (always). Fills the record's
// outcome fields for this attempt; returns the manifest, or the backup's error (or the post
// hook's when the backup itself succeeded: the backup is kept, the run has failed).
Result<repo::Manifest> run_attempt(const core::Config& config, const core::SetConfig& set,
                                   repo::Repository& repository, ops::HookRunner& hooks,
                                   ops::RunRecord& record) {
  auto started = std::chrono::steady_clock::now();
  // A failed pre_backup hook skips the backup; the post hook below still runs. A hook that
  // cannot run at all skips it too: found now, not after the snapshot (post_lock) was taken.
  Result<repo::Manifest> manifest = propagate(Error{});
  if (auto problems = ops::hook_program_problems(set.hooks); !problems.empty()) {
    manifest = usage_error("set '" + set.name + "': " + problems.front());
  } else if (auto pre = hooks.run(HookKind::kPreBackup, record, false); !pre) {
    manifest = propagate(pre.error());
  } else {
    manifest =
        run_backup(config, set, repository,
                   [&](std::string_view stage, const std::map<std::string, std::string>& facts) {
                     return hooks.run_stage(stage, record, facts);
                   });
  }
  record.finished_at = core::now_seconds();
  record.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  record.success = manifest.has_value();
  if (manifest) {
    fill_from_manifest(record, *manifest);
    record.last_success_at = record.finished_at;
  } else {
    record.error = log::redact(manifest.error().message);
  }

  // The post hook runs whatever happened: it typically restarts what pre_backup stopped.
  auto post = hooks.run(HookKind::kPostBackup, record, true);
  if (!post) log::error(post.error().message);
  if (manifest && !post) {
    record.success = false;
    record.error = post.error().message;
    return propagate(post.error());
  }
  return manifest;
}

core::CommandRunner& system_runner() {
  static core::SystemCommandRunner runner;
  return runner;
}

}  // namespace

RunServices RunServices::from_config(const core::Config& config) {
  RunServices services;
  services.runner = &system_runner();
  services.notifiers = ops::make_notifiers(config.notify);
  return services;
}

Result<void> note_restore_test_passed(const core::Config& config, const std::string& set,
                                      core::Seconds at) {
  auto store = ops::run_record_store(config);
  TRY_ASSIGN(auto record, store.load(set));
  if (!record) return {};
  if (!record->last_restore_test_at || *record->last_restore_test_at < at) {
    record->last_restore_test_at = at;
  }
  TRY(store.save(*record));
  return ops::refresh_metrics(config);
}

Result<repo::Manifest> run_backup_with_operations(const core::Config& config,
                                                  const core::SetConfig& set,
                                                  repo::Repository& repository,
                                                  RunServices& services) {
  auto store = ops::run_record_store(config);
  ops::RunRecord record;
  record.set = set.name;
  int failures_before = 0;
  if (auto previous = store.load(set.name); previous && *previous) {
    record.last_success_at = (*previous)->last_success_at;
    record.last_restore_test_at = (*previous)->last_restore_test_at;
    failures_before = (*previous)->consecutive_failures;
  }
  record.started_at = core::now_seconds();
  ops::HookRunner hooks(set.hooks, *services.runner);

  const int attempts_allowed = 1 + set.retries;
  Result<repo::Manifest> manifest = propagate(Error{});
  for (record.attempts = 1;; ++record.attempts) {
    record.error.clear();
    manifest = run_attempt(config, set, repository, hooks, record);
    // A backup that was committed (only its post hook failed) is not taken again.
    if (manifest || record.backup_id || record.attempts >= attempts_allowed ||
        !worth_retrying(manifest.error())) {
      break;
    }
    record.attempt_errors.push_back(log::redact(manifest.error().message));
    log::warn("set '" + set.name + "': attempt " + std::to_string(record.attempts) + " of " +
              std::to_string(attempts_allowed) + " failed: " + record.attempt_errors.back() +
              "; trying again in " + core::format_duration(set.retry_delay));
    if (!wait_unless_cancelled(set.retry_delay)) {
      manifest = fail("cancelled while waiting to retry", ErrorKind::kCancelled);
      break;
    }
  }
  if (!manifest && record.error.empty()) record.error = log::redact(manifest.error().message);
  record.success = manifest.has_value();
  if (!record.success) {
    auto on_failure = hooks.run(HookKind::kOnFailure, record, true);
    if (!on_failure) log::error(on_failure.error().message);
  }
  record.consecutive_failures = record.success ? 0 : failures_before + 1;
  if (record.success && failures_before > 0) record.recovered_after_failures = failures_before;

  if (auto saved = store.save(record); !saved) log::warn(saved.error().message);
  if (auto written = ops::refresh_metrics(config); !written) {
    log::warn("metrics file not written: " + written.error().message);
  }
  ops::notify_run(services.notifiers, record,
                  ops::announcement_for(record, failures_before, config.notify));
  return manifest;
}

}  // namespace dbkeep::backup
