#include "dbkeep/ops/hooks.hpp"

#include "dbkeep/core/executable_path.hpp"
#include "dbkeep/core/log.hpp"

namespace dbkeep::ops {

const char* hook_name(HookKind kind) {
  switch (kind) {
    case HookKind::kPreBackup:
      return "pre_backup";
    case HookKind::kPreLock:
      return "pre_lock";
    case HookKind::kPostLock:
      return "post_lock";
    case HookKind::kPostSnapshot:
      return "post_snapshot";
    case HookKind::kPostBackup:
      return "post_backup";
    case HookKind::kOnFailure:
      return "on_failure";
  }
  return "hook";
}

std::optional<HookKind> stage_hook_kind(std::string_view name) {
  for (auto kind : {HookKind::kPreLock, HookKind::kPostLock, HookKind::kPostSnapshot}) {
    if (name == hook_name(kind)) return kind;
  }
  return std::nullopt;
}

std::map<std::string, std::string> hook_environment(HookKind kind, const RunRecord& record,
                                                    bool finished) {
  std::map<std::string, std::string> env = {
      {"DBKEEP_HOOK", hook_name(kind)},
      {"DBKEEP_STAGE", hook_name(kind)},
      {"DBKEEP_SET", record.set},
      {"DBKEEP_STATUS", !finished ? "running" : record.status()},
  };
  if (finished) {
    env["DBKEEP_SIZE_BYTES"] = std::to_string(record.size_bytes);
    env["DBKEEP_STORED_BYTES"] = std::to_string(record.stored_bytes);
    env["DBKEEP_DURATION_MS"] = std::to_string(record.duration_ms);
    if (record.backup_id) env["DBKEEP_BACKUP_ID"] = *record.backup_id;
    if (!record.success) env["DBKEEP_ERROR"] = log::redact(record.error);
  }
  return env;
}

namespace {

const std::vector<std::string>& hook_command(const core::HooksConfig& hooks, HookKind kind) {
  switch (kind) {
    case HookKind::kPreBackup:
      return hooks.pre_backup;
    case HookKind::kPreLock:
      return hooks.pre_lock;
    case HookKind::kPostLock:
      return hooks.post_lock;
    case HookKind::kPostSnapshot:
      return hooks.post_snapshot;
    case HookKind::kPostBackup:
      return hooks.post_backup;
    case HookKind::kOnFailure:
      return hooks.on_failure;
  }
  return hooks.pre_backup;
}

}  // namespace

std::vector<std::string> hook_program_problems(const core::HooksConfig& hooks) {
  std::vector<std::string> problems;
  for (auto kind : {HookKind::kPreBackup, HookKind::kPreLock, HookKind::kPostLock,
                    HookKind::kPostSnapshot, HookKind::kPostBackup, HookKind::kOnFailure}) {
    const auto& command = hook_command(hooks, kind);
    if (command.empty() || core::find_executable(command.front())) continue;
    problems.push_back(
        "[set.hooks] " + std::string(hook_name(kind)) + ": program " + command.front() +
        " not found or not executable" +
        (command.front().find('/') == std::string::npos ? " (looked up in PATH)" : ""));
  }
  return problems;
}

const std::vector<std::string>& HookRunner::command_of(HookKind kind) const {
  return hook_command(hooks_, kind);
}

Result<void> HookRunner::run(HookKind kind, const RunRecord& record, bool finished) {
  if (command_of(kind).empty()) return {};
  return run_command(kind, hook_environment(kind, record, finished));
}

Result<void> HookRunner::run_stage(std::string_view stage, const RunRecord& record,
                                   const std::map<std::string, std::string>& source_facts) {
  auto kind = stage_hook_kind(stage);
  if (!kind) return fail("no hook for backup stage '" + std::string(stage) + "'");
  if (command_of(*kind).empty()) return {};
  auto env = hook_environment(*kind, record, false);
  for (const auto& [name, value] : source_facts) env[name] = log::redact(value);
  return run_command(*kind, std::move(env));
}

Result<void> HookRunner::run_command(HookKind kind, std::map<std::string, std::string> env) {
  const auto& argv = command_of(kind);
  core::Command command{.argv = argv,
                        .extra_env = std::move(env),
                        .timeout = std::chrono::seconds(hooks_.timeout_seconds)};
  std::string what = std::string(hook_name(kind)) + " hook '" + command.display() + "'";
  log::info("running " + what);
  auto result = runner_.run(command);
  if (!result) return propagate(result.error().with_context(what));
  if (!result->stdout_text.empty())
    log::debug(what + " printed: " + log::redact(result->stdout_text));
  if (result->timed_out) {
    return fail(what + " timed out after " + std::to_string(hooks_.timeout_seconds) + " s");
  }
  if (!result->success()) {
    return fail(what + " failed: " + log::redact(result->describe_failure()));
  }
  return {};
}

}  // namespace dbkeep::ops
