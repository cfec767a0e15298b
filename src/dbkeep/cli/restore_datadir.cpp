#include "dbkeep/cli/restore_datadir.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "dbkeep/core/temp_dir.hpp"
#include "dbkeep/repo/binlog_position.hpp"
#include "dbkeep/restore/datadir_restore.hpp"
#include "dbkeep/restore/method_restore.hpp"
#include "dbkeep/restore/restore_plan.hpp"
#include "dbkeep/restore/restored_server.hpp"
#include "dbkeep/restore/scratch_server.hpp"

namespace dbkeep::cli {
namespace {

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

// Starts a scratch server on the restored datadir, replays the archive into it, and shuts it
// down cleanly, so the datadir is handed over at the target point.
Result<archive::ReplayedRange> roll_datadir_forward(CommandContext& context,
                                                    const repo::Manifest& manifest,
                                                    const std::filesystem::path& datadir,
                                                    const PreparedReplay& prepared) {
  const auto settings = restore_settings_for(context, manifest.set);
  TRY_ASSIGN(auto binary, restore::find_server_binary(settings.server_binary));
  TRY_ASSIGN(auto account, core::server_user(settings.owner));
  TRY_ASSIGN(const auto* config, context.config());
  TRY_ASSIGN(auto runtime, core::TempDir::create(config->repository.temp_dir, "dbkeep-pitr-"));
  // The server runs as the owner and must reach its socket directory inside: traverse only.
  if (::chmod(runtime.path().c_str(), 0711) != 0) {
    return fail("cannot chmod " + runtime.path().string() + ": " + std::strerror(errno));
  }
  restore::ScratchServerOptions options;
  options.binary = binary;
  options.datadir = datadir;
  options.runtime_dir = runtime.path() / "run";
  options.owner = account;
  options.log_bin = restore::crash_recovery_log_bin(manifest);
  TRY_ASSIGN(auto server, restore::ScratchServer::start(options));
  archive::ApplyOptions apply;
  apply.load_grant_tables_first = true;
  TRY(apply_roll_forward(prepared, server->connection_options(), apply));
  TRY(server->shutdown());
  return prepared.range;
}

}  // namespace

core::RestoreConfig restore_settings_for(CommandContext& context, const std::string& set) {
  auto config = context.config();
  if (!config) return {};
  auto found = (*config)->find_set(set);
  return found ? (*found)->restore : core::RestoreConfig{};
}

Result<int> finish_datadir_restore(CommandContext& context, const repo::Manifest& manifest,
                                   const std::filesystem::path& datadir, bool start,
                                   nlohmann::json document, std::string text) {
  const auto settings = restore_settings_for(context, manifest.set);
  // Only a started server needs the owner to have an account (checked before the restore).
  const std::string server_account =
      core::server_user(settings.owner).value_or(settings.owner.text());
  restore::RestoredServerOptions server_options{datadir, server_account, settings.server_binary};
  server_options.log_bin = restore::crash_recovery_log_bin(manifest);
  if (start) {
    TRY_ASSIGN(auto server, restore::start_restored_server(server_options));
    document["server"] = {{"pid", server.pid},
                          {"socket", server.socket.string()},
                          {"pid_file", server.pid_file.string()},
                          {"error_log", server.error_log.string()},
                          {"startup_ms", server.startup_time.count()}};
    text += "server running (pid " + std::to_string(server.pid) + "), socket " +
            server.socket.string() + ", log " + server.error_log.string() +
            "\nstop it with: kill " + std::to_string(server.pid) + "\n";
  } else {
    text += "start a server on it with your usual options, e.g.:\n  " +
            join({settings.server_binary, "--user=" + server_account,
                  "--datadir=" + datadir.string()}) +
            (server_options.log_bin.empty() ? "" : " --log-bin=" + server_options.log_bin) + "\n";
    if (core::method_traits(manifest.method).needs_crash_recovery) {
      text +=
          "(InnoDB crash recovery runs on the first start; that is expected for a snapshot;\n"
          "keep log_bin as it was, so transactions prepared at snapshot time are committed)\n";
    }
  }
  if (context.global().json) {
    context.print_json(document);
  } else {
    context.print(text);
  }
  return 0;
}

Result<int> restore_datadir_command(CommandContext& context, const repo::Manifest& manifest,
                                    const DatadirRestoreRequest& request) {
  TRY(restore::require_restore_target(manifest, core::RestoreTarget::kDatadir));
  nlohmann::json document = {{"ok", true}, {"id", manifest.id}, {"set", manifest.set}};
  if (auto position = repo::read_binlog_position(manifest)) {
    repo::record_binlog_position(document, *position);
  }
  if (request.binlog_info_only) {
    if (context.global().json) {
      context.print_json(document);
    } else {
      context.print(restore::describe_binlog_position(manifest));
    }
    return 0;
  }

  TRY_ASSIGN(auto* repository, context.repository());
  TRY_ASSIGN(auto plan,
             restore::plan_datadir_restore(
                 *repository, manifest, std::filesystem::absolute(request.datadir), request.force));
  if (request.dry_run) {
    if (context.global().json) {
      nlohmann::json dry = {{"ok", true},
                            {"dry_run", true},
                            {"datadir", request.datadir.string()},
                            {"restore", restore::restore_plan_to_json(plan)}};
      if (request.point_in_time) dry["plan"] = plan_to_json(*request.point_in_time);
      context.print_json(dry);
    } else {
      std::string text = restore::describe_restore_plan(plan);
      if (request.point_in_time) {
        text += describe_plan(*request.point_in_time) + "  datadir   " + request.datadir.string() +
                ": the base is restored there, a scratch server replays the segments and "
                "shuts down\n";
      }
      context.print(text + "nothing was written (--dry-run)\n");
    }
    return 0;
  }
  TRY(restore::require_room(plan));
  const auto settings = restore_settings_for(context, manifest.set);
  if (request.start || request.point_in_time) TRY(core::server_user(settings.owner));
  std::optional<PreparedReplay> prepared;
  if (request.point_in_time) {
    TRY_ASSIGN(prepared, prepare_roll_forward(context, *request.point_in_time));
  }
  TRY_ASSIGN(auto restored,
             restore::restore_to_datadir(*repository, manifest,
                                         {request.datadir, request.force, settings.owner}));
  document["datadir"] = restored.datadir.string();
  std::string what;
  if (restored.chain.empty()) {
    document["files"] = restored.files;
    document["bytes"] = restored.bytes;
    what = std::to_string(restored.files) + " files";
  } else {
    document["chain"] = restored.chain;
    what = std::to_string(restored.chain.size()) + " backup" +
           (restored.chain.size() == 1 ? "" : "s") + " applied";
  }
  if (restored.previous_kept_as) document["previous_kept_as"] = restored.previous_kept_as->string();
  std::string text = "restored " + manifest.set + "/" + manifest.id + " into " +
                     restored.datadir.string() + " (" + what + ", owned by " +
                     settings.owner.text() + ")\n";
  if (restored.previous_kept_as) {
    text += "the previous content is kept in " + restored.previous_kept_as->string() + "\n";
  }
  text += restore::describe_binlog_position(manifest);
  if (request.point_in_time) {
    auto replayed = roll_datadir_forward(context, manifest, restored.datadir, *prepared);
    if (!replayed) {
      auto error = replayed.error();
      error.message += " (" + restored.datadir.string() + " holds backup " + manifest.id +
                       " as restored, without the roll-forward)";
      return std::unexpected(error);
    }
    document["point_in_time"] = plan_to_json(*request.point_in_time);
    document["rolled_forward"] = replayed_to_json(*replayed);
    text += describe_plan(*request.point_in_time) + describe_replayed(*replayed);
  }
  return finish_datadir_restore(context, manifest, restored.datadir, request.start,
                                std::move(document), std::move(text));
}

}  // namespace dbkeep::cli
