#include "dbkeep/cli/restore_datadir.hpp"

#include "dbkeep/repo/binlog_position.hpp"
#include "dbkeep/restore/datadir_restore.hpp"
#include "dbkeep/restore/method_restore.hpp"
#include "dbkeep/restore/restored_server.hpp"

namespace dbkeep::cli {
namespace {

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
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
  const auto settings = restore_settings_for(context, manifest.set);
  if (request.start) TRY(core::server_user(settings.owner));
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
  return finish_datadir_restore(context, manifest, restored.datadir, request.start,
                                std::move(document), std::move(text));
}

}  // namespace dbkeep::cli
