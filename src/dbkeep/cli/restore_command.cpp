#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/restore_physical.hpp"
#include "dbkeep/jobs/sqlite_restore.hpp"

namespace dbkeep::cli {

Result<int> restore_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  TRY_ASSIGN(auto sqlite_path, context.args().option("--sqlite-path"));
  TRY_ASSIGN(auto datadir, context.args().option("--datadir"));
  bool force = context.args().flag("--force");
  bool start = context.args().flag("--start");
  auto ids = context.args().positionals();
  TRY(context.args().expect_empty("restore"));
  if (ids.size() != 1) return usage_error("dbkeep restore needs exactly one backup ID");
  if (!sqlite_path && !datadir) {
    return usage_error(
        "say where to restore: --sqlite-path FILE (SQLite backups) or --datadir DIR (MySQL "
        "physical backups)");
  }
  if (sqlite_path && datadir) return usage_error("give either --sqlite-path or --datadir");
  if (start && !datadir) return usage_error("--start goes with --datadir DIR");
  TRY_ASSIGN(auto* repository, context.repository());
  TRY_ASSIGN(auto manifest, repository->find(ids.front(), set));
  if (datadir) {
    return restore_physical_command(context, manifest,
                                    PhysicalRestoreRequest{*datadir, force, start});
  }
  TRY_ASSIGN(auto restored,
             jobs::restore_sqlite(repository->backend(), manifest, *sqlite_path, force));

  nlohmann::json document = {{"ok", true},
                             {"id", manifest.id},
                             {"set", manifest.set},
                             {"restored", restored.restored.string()}};
  if (restored.previous_kept_as) document["previous_kept_as"] = restored.previous_kept_as->string();
  if (context.global().json) {
    context.print_json(document);
  } else {
    context.print("restored " + manifest.set + "/" + manifest.id + " to " +
                  restored.restored.string() + "\n");
    if (restored.previous_kept_as) {
      context.print("the previous file is kept as " + restored.previous_kept_as->string() + "\n");
    }
  }
  return 0;
}

}  // namespace dbkeep::cli
