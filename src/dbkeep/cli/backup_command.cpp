#include "dbkeep/backup/backup_run.hpp"
#include "dbkeep/cli/backup_view.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/log.hpp"

namespace dbkeep::cli {

// Backs up the selected sets one after another. A failing set does not stop the others; the
// exit code is that of the first failure (so a lock conflict still exits 4).
Result<int> backup_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  bool incremental = context.args().flag("--incremental");
  TRY(context.args().expect_empty("backup"));
  TRY_ASSIGN(auto sets, context.selected_sets(set));
  TRY_ASSIGN(auto* config, context.config());
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
