#include "dbkeep/backup/backup_plan.hpp"
#include "dbkeep/backup/backup_run.hpp"
#include "dbkeep/cli/backup_view.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/plan_view.hpp"
#include "dbkeep/core/log.hpp"

namespace dbkeep::cli {

namespace {

// backup --dry-run: each set's plan; exit 1 when a real run would fail.
Result<int> print_backup_plans(CommandContext& context, const core::Config& config,
                               const std::vector<const core::SetConfig*>& sets) {
  TRY_ASSIGN(auto* repository, context.repository());
  context.print("dry run: nothing is locked, snapshotted, copied or deleted\n");
  nlohmann::json plans = nlohmann::json::array();
  bool all_fine = true;
  for (const auto* set : sets) {
    auto plan = backup::plan_backup(config, *set, *repository);
    all_fine = all_fine && plan.problems.empty();
    context.print(plan_text(plan));
    plans.push_back(plan_json(plan));
  }
  if (context.global().json)
    context.print_json({{"ok", all_fine}, {"dry_run", true}, {"sets", plans}});
  return all_fine ? 0 : 1;
}

}  // namespace

// Backs up the selected sets one after another. A failing set does not stop the others; the
// exit code is that of the first failure (so a lock conflict still exits 4).
Result<int> backup_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  bool incremental = context.args().flag("--incremental");
  bool dry_run = context.args().flag("--dry-run");
  TRY(context.args().expect_empty("backup"));
  TRY_ASSIGN(auto sets, context.selected_sets(set));
  TRY_ASSIGN(auto* config, context.config());
  if (dry_run) return print_backup_plans(context, *config, sets);
  context.allow_key_creation();  // an encrypted repository gets its key on the first backup
  TRY_ASSIGN(auto* repository, context.repository());

  auto services = backup::RunServices::from_config(*config);  // hooks, notifications, metrics
  nlohmann::json results = nlohmann::json::array();
  std::optional<Error> first_failure;
  for (const auto* one : sets) {
    // --incremental: physical sets take an incremental this time, whatever their configured type.
    core::SetConfig chosen = *one;
    if (incremental && chosen.physical) chosen.physical->incremental = true;
    auto manifest =
        incremental && !chosen.physical
            ? Result<repo::Manifest>(usage_error("--incremental applies to physical sets only"))
            : backup::run_backup_with_operations(*config, chosen, *repository, services);
    if (manifest) {
      results.push_back(backup_summary_json(*manifest));
      context.print(manifest->set + "/" + manifest->id + " complete\n");
      continue;
    }
    Error error = manifest.error().with_context("backup of set '" + one->name + "' failed");
    if (sets.size() > 1) log::error(error.message);
    results.push_back({{"set", one->name}, {"status", "failed"}, {"error", error.message}});
    if (!first_failure) first_failure = error;
  }
  if (context.global().json) {
    context.print_json({{"ok", !first_failure}, {"backups", results}});
    if (first_failure) return exit_code(first_failure->kind);
  }
  if (first_failure) {
    if (sets.size() > 1) return exit_code(first_failure->kind);  // each already logged
    return std::unexpected(*first_failure);
  }
  return 0;
}

}  // namespace dbkeep::cli
