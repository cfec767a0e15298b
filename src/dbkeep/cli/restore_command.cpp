#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/restore_datadir.hpp"
#include "dbkeep/cli/restore_flags.hpp"
#include "dbkeep/cli/restore_point_in_time.hpp"
#include "dbkeep/restore/method_restore.hpp"
#include "dbkeep/restore/restore_plan.hpp"
#include "dbkeep/restore/sqlite_restore.hpp"

namespace dbkeep::cli {

Result<int> restore_command(CommandContext& context) {
  TRY_ASSIGN(auto to_sql, context.args().option("--to-sql"));
  if (to_sql) {
    if (context.args().flag("--to-server")) {
      return usage_error("give either --to-sql or --to-server, not both");
    }
    return restore_to_sql_command(context, *to_sql);
  }
  if (context.args().flag("--to-server")) return restore_to_server_command(context);
  TRY_ASSIGN(auto set, context.args().option("--set"));
  TRY_ASSIGN(auto sqlite_path, context.args().option("--sqlite-path"));
  TRY_ASSIGN(auto datadir, context.args().option("--datadir"));
  bool force = context.args().flag("--force");
  bool start = context.args().flag("--start");
  bool binlog_info = context.args().flag("--binlog-info");
  TRY_ASSIGN(auto selection, restore_selection_from_args(context.args()));
  const auto& target = selection.target;
  if (target && sqlite_path) {
    return usage_error(
        "point-in-time restores of SQLite sets are not available yet; restore "
        "the backup itself without --to-time/--to-gtid/--to-latest");
  }
  if (!sqlite_path && !datadir) {
    return usage_error(
        "say where to restore: --sqlite-path FILE (SQLite backups) or --datadir DIR (MySQL "
        "snapshot and physical backups)");
  }
  if (sqlite_path && datadir)
    return usage_error("give either --sqlite-path or --datadir, not both");
  if ((start || binlog_info) && !datadir) {
    return usage_error("--start and --binlog-info go with --datadir DIR");
  }
  TRY_ASSIGN(auto* repository, context.repository());
  if (datadir) {
    DatadirRestoreRequest request{*datadir, force, start, binlog_info};
    request.dry_run = selection.dry_run;
    const auto& id = selection.id;
    if (target) {
      if (binlog_info) return usage_error("--binlog-info does not go with a point-in-time target");
      TRY_ASSIGN(request.point_in_time, plan_point_in_time(context, id, set, *target));
      return restore_datadir_command(context, request.point_in_time->base, request);
    }
    TRY_ASSIGN(auto manifest, find_backup(context, *id, set));
    return restore_datadir_command(context, manifest, request);
  }
  TRY_ASSIGN(auto manifest, find_backup(context, *selection.id, set));
  TRY(restore::require_restore_target(manifest, core::RestoreTarget::kSqliteFile));
  TRY_ASSIGN(auto plan, restore::plan_sqlite_restore(
                            manifest, std::filesystem::absolute(*sqlite_path), force));
  if (selection.dry_run) {
    if (context.global().json) {
      context.print_json(
          {{"ok", true}, {"dry_run", true}, {"restore", restore::restore_plan_to_json(plan)}});
    } else {
      context.print(restore::describe_restore_plan(plan) + "nothing was written (--dry-run)\n");
    }
    return 0;
  }
  TRY(restore::require_room(plan));
  TRY_ASSIGN(auto restored,
             restore::restore_sqlite(repository->backend(), manifest, *sqlite_path, force));

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
