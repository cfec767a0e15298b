#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/restore_datadir.hpp"
#include "dbkeep/cli/restore_flags.hpp"
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
  auto ids = context.args().positionals();
  TRY(context.args().expect_empty("restore"));
  if (ids.size() != 1) return usage_error("dbkeep restore needs exactly one backup ID");
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
  TRY_ASSIGN(auto manifest, find_backup(context, ids.front(), set));
  if (datadir) {
    return restore_datadir_command(context, manifest,
                                   DatadirRestoreRequest{*datadir, force, start, binlog_info});
  }
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
