// dbkeep restore ID --to-server: loads a logical backup into a running server
// (jobs/logical_restore.hpp). The password never comes from the command line: it is read from
// --password-file, the MYSQL_PWD environment variable, or the option file (--defaults-file,
// else ~/.my.cnf when it exists), in that order.

#include <cstdlib>

#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/restore_flags.hpp"
#include "dbkeep/cli/restore_point_in_time.hpp"
#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/secret_file.hpp"
#include "dbkeep/repo/table_inventory.hpp"
#include "dbkeep/restore/logical/logical_restore.hpp"
#include "dbkeep/restore/method_restore.hpp"
#include "dbkeep/restore/restore_plan.hpp"
#include "dbkeep/restore/scratch_claim.hpp"
#include "dbkeep/restore/scratch_restore.hpp"
#include "dbkeep/restore/table_transfer.hpp"

namespace dbkeep::cli {
namespace {

Result<source::mysql::ConnectionOptions> connection_from_flags(Arguments& args) {
  source::mysql::ConnectionOptions options;
  TRY_ASSIGN(auto socket, args.option("--socket"));
  TRY_ASSIGN(auto host, args.option("--host"));
  TRY_ASSIGN(auto port, args.option("--port"));
  TRY_ASSIGN(auto user, args.option("--user"));
  TRY_ASSIGN(auto password_file, args.option("--password-file"));
  TRY_ASSIGN(auto defaults_file, args.option("--defaults-file"));
  // "--password" alone, or "--password=…" (whose value must not be echoed in any message).
  bool password_on_argv = args.flag("--password");
  if (auto inline_password = args.option("--password"); !inline_password || *inline_password) {
    password_on_argv = true;
  }
  if (password_on_argv) {
    return usage_error(
        "passwords are not taken from the command line; use --password-file, MYSQL_PWD or "
        "an option file");
  }
  options.socket = socket.value_or("");
  options.host = host.value_or("");
  options.user = user.value_or("");
  if (port) {
    try {
      options.port = static_cast<unsigned>(std::stoul(*port));
    } catch (const std::exception&) {
      return usage_error("--port must be a number, got '" + *port + "'");
    }
  }
  if (password_file) {
    TRY_ASSIGN(options.password, core::read_secret_file(*password_file, "--password-file"));
  } else if (const char* from_env = std::getenv("MYSQL_PWD"); from_env && *from_env) {
    options.password = from_env;
  }
  if (defaults_file) {
    options.option_file = *defaults_file;
  } else if (const char* home = std::getenv("HOME")) {
    std::filesystem::path my_cnf = std::filesystem::path(home) / ".my.cnf";
    std::error_code ignored;
    if (std::filesystem::exists(my_cnf, ignored)) options.option_file = my_cnf;
  }
  return options;
}

// "socket /run/mysqld/mysqld.sock" or "host:port", for the plan.
std::string describe_target(const source::mysql::ConnectionOptions& connection) {
  if (!connection.socket.empty()) return "socket " + connection.socket;
  return (connection.host.empty() ? std::string("localhost") : connection.host) + ":" +
         std::to_string(connection.port == 0 ? 3306 : connection.port);
}

// The target server's @@datadir when it is on this host (reached by its socket), for the free
// space check; nullopt when it cannot be asked or is elsewhere. A connection that fails here
// fails again, with its message, when the load connects.
std::optional<std::filesystem::path> local_server_datadir(
    const source::mysql::ConnectionOptions& connection) {
  if (connection.socket.empty() && connection.host != "localhost" && !connection.host.empty()) {
    return std::nullopt;
  }
  auto connected = source::mysql::Connection::connect(connection);
  if (!connected) return std::nullopt;
  auto datadir = connected->query_single_value("SELECT @@datadir");
  if (!datadir || !*datadir) return std::nullopt;
  return std::filesystem::path(**datadir);
}

// --only from a snapshot or physical backup: the backup restored into a scratch directory under
// [repository] temp_dir, a scratch server started on it, and the selected tables moved into the
// target (restore/table_transfer.hpp). The server is killed and the directory removed on every
// path out, Ctrl-C included.
Result<restore::logical::LogicalRestoreResult> restore_through_scratch(
    CommandContext& context, repo::Repository& repository, const repo::Manifest& manifest,
    const restore::logical::LogicalRestoreOptions& options) {
  TRY_ASSIGN(const auto* config, context.config());
  restore::ScratchRestoreOptions scratch_options{config->verify.server_binary};
  if (auto found = config->find_set(manifest.set)) scratch_options.owner = (*found)->restore.owner;
  restore::reclaim_abandoned_scratch(config->repository.temp_dir, "dbkeep-only-");
  TRY_ASSIGN(auto scratch,
             restore::ClaimedScratch::create(config->repository.temp_dir, "dbkeep-only-"));
  log::info("restoring " + manifest.set + "/" + manifest.id + " into scratch directory " +
            scratch.path().string() + " to take " + options.only->text() + " from it");
  TRY_ASSIGN(const auto target,
             restore::prepare_scratch(manifest, scratch_options, scratch.path()));
  TRY(restore::materialize(repository, manifest, target));
  TRY(core::check_cancellation());
  TRY_ASSIGN(auto server, restore::ScratchServer::start(target.server));
  TRY(core::check_cancellation());
  return restore::transfer_tables(*server, options, scratch.path(), manifest.id);
}

}  // namespace

Result<int> restore_to_server_command(CommandContext& context) {
  auto& args = context.args();
  TRY_ASSIGN(auto set, args.option("--set"));
  restore::logical::LogicalRestoreOptions options;
  TRY_ASSIGN(options.connection, connection_from_flags(args));
  TRY_ASSIGN(options.rename_schema, renames_from_flags(args));
  TRY_ASSIGN(auto workers, args.option("--workers"));
  if (workers) {
    try {
      options.workers = std::stoi(*workers);
    } catch (const std::exception&) {
      return usage_error("--workers must be a number, got '" + *workers + "'");
    }
  }
  options.drop_existing = args.flag("--drop-existing");
  options.skip_binlog = args.flag("--skip-binlog");
  options.resume = args.flag("--resume");
  options.with_users = args.flag("--with-users");
  TRY_ASSIGN(options.only, only_from_flags(args));
  TRY_ASSIGN(auto selection, restore_selection_from_args(args));
  const auto& [id, target, dry_run] = selection;
  if (target && options.only) {
    // The replay would apply the archived events of every table, not only the selected ones.
    return usage_error(
        "--only does not go with --to-time, --to-gtid or --to-latest yet: the roll-forward "
        "applies the events of every table; restore the whole backup to a scratch server, or "
        "take the tables from `dbkeep open ID --to-time T`");
  }
  if (target && !options.rename_schema.empty()) {
    // The archived events name the original schemas: replayed after a renamed load, they
    // would change the originals on the target server.
    return usage_error(
        "--rename-schema does not go with --to-time, --to-gtid or --to-latest: the archived "
        "binary log names the original schemas; restore to another server instead");
  }

  TRY_ASSIGN(const auto* config, context.config());
  options.progress_dir = config->repository.state_dir / "loads";
  TRY_ASSIGN(auto* repository, context.repository());
  // A point-in-time restore is planned before anything is loaded: a target the archive cannot
  // reach fails here, with the server untouched.
  std::optional<PointInTimePlan> point_in_time;
  if (target) {
    TRY_ASSIGN(point_in_time, plan_point_in_time(context, id, set, *target));
  }
  repo::Manifest manifest;
  if (point_in_time) {
    manifest = point_in_time->base;
  } else {
    TRY_ASSIGN(manifest, find_backup(context, *id, set));
  }
  // Tables of a snapshot or physical backup come through a scratch server on it.
  const bool through_scratch =
      options.only &&
      core::method_traits(manifest.method).restore_target == core::RestoreTarget::kDatadir;
  if (!through_scratch)
    TRY(restore::require_restore_target(manifest, core::RestoreTarget::kServer));
  // A snapshot's or physical backup's table list is what its backup user could see: its
  // names are checked on the scratch server (which sees every table), before the target is
  // written; a logical backup's list is exact and checked here.
  if (options.only && !through_scratch) {
    std::vector<restore::TableName> held;
    for (const auto& table : repo::backup_tables(manifest))
      held.push_back({table.schema, table.table});
    TRY(options.only->check_against(held, manifest.id));
  }
  const auto server_datadir = local_server_datadir(options.connection);
  restore::RestorePlan plan;
  if (through_scratch) {
    TRY_ASSIGN(plan, restore::plan_selected_through_scratch(
                         *repository, manifest, describe_target(options.connection), *options.only,
                         server_datadir, config->repository.temp_dir));
  } else {
    plan = restore::plan_server_restore(manifest, describe_target(options.connection), options.only,
                                        server_datadir);
  }
  if (dry_run) {
    if (context.global().json) {
      nlohmann::json dry = {
          {"ok", true}, {"dry_run", true}, {"restore", restore::restore_plan_to_json(plan)}};
      if (point_in_time) dry["plan"] = plan_to_json(*point_in_time);
      context.print_json(dry);
    } else {
      std::string text = restore::describe_restore_plan(plan);
      if (point_in_time) {
        text += describe_plan(*point_in_time) + "  apply     into the server by " +
                (options.connection.socket.empty() ? "TCP" : "socket") +
                " after loading the base\n";
      }
      context.print(text + "nothing was written (--dry-run)\n");
    }
    return 0;
  }
  TRY(restore::require_room(plan));
  // How long the roll-forward's two steps took (bench/ compares the apply with
  // `mariadb-binlog | mariadb`): fetching and cutting the replay file, and applying it.
  auto since = [](std::chrono::steady_clock::time_point from) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 from)
        .count();
  };
  std::optional<PreparedReplay> prepared;
  std::int64_t prepare_ms = 0, apply_ms = 0;
  if (point_in_time) {
    const auto preparing = std::chrono::steady_clock::now();
    TRY_ASSIGN(prepared, prepare_roll_forward(context, *point_in_time));
    prepare_ms = since(preparing);
  }
  const auto started = std::chrono::steady_clock::now();
  restore::logical::LogicalRestoreResult loaded;
  if (through_scratch) {
    TRY_ASSIGN(loaded, restore_through_scratch(context, *repository, manifest, options));
  } else {
    TRY_ASSIGN(loaded, restore::logical::restore_logical(repository->backend(), manifest, options));
  }
  std::optional<archive::ReplayedRange> replayed;
  if (point_in_time) {
    archive::ApplyOptions apply;
    apply.skip_binlog = options.skip_binlog;
    const auto applying = std::chrono::steady_clock::now();
    if (auto applied = apply_roll_forward(*prepared, options.connection, apply); !applied) {
      auto error = applied.error();
      error.message +=
          " (the server holds backup " + manifest.id + " as loaded, without the roll-forward)";
      return std::unexpected(error);
    }
    replayed = prepared->range;
    apply_ms = since(applying);
  }
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
  if (context.global().json) {
    nlohmann::json document = {{"ok", true},
                               {"id", manifest.id},
                               {"set", manifest.set},
                               {"schemas", loaded.schemas},
                               {"tables", loaded.tables},
                               {"chunks", loaded.chunks},
                               {"chunks_resumed", loaded.chunks_skipped},
                               {"accounts", loaded.accounts},
                               {"rows", loaded.rows},
                               {"duration_ms", elapsed_ms}};
    if (options.only) {
      document["only"] = options.only->text();
      document["unchecked_foreign_keys"] = loaded.unchecked_foreign_keys;
    }
    if (replayed) {
      document["point_in_time"] = plan_to_json(*point_in_time);
      document["rolled_forward"] = replayed_to_json(*replayed);
      document["rolled_forward"]["prepare_ms"] = prepare_ms;
      document["rolled_forward"]["apply_ms"] = apply_ms;
    }
    context.print_json(document);
  } else {
    context.print("loaded " + manifest.set + "/" + manifest.id + ": " +
                  std::to_string(loaded.tables) + " tables, " + std::to_string(loaded.rows) +
                  " rows in " + std::to_string(loaded.chunks) + " chunks (" +
                  std::to_string(elapsed_ms) + " ms)\n");
    if (replayed) context.print(describe_plan(*point_in_time) + describe_replayed(*replayed));
  }
  return 0;
}

}  // namespace dbkeep::cli
