#include "dbkeep/cli/restore_datadir.hpp"

#include "dbkeep/jobs/datadir_restore.hpp"
#include "dbkeep/jobs/restored_server.hpp"

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
  jobs::RestoredServerOptions server_options{datadir, settings.owner, settings.server_binary};
  // A snapshot may hold transactions whose commit decision is in the binary log; a prepared
  // physical backup has resolved them already.
  if (manifest.method != "physical") server_options.log_bin = jobs::binlog_basename(manifest);
  if (start) {
    TRY_ASSIGN(auto server, jobs::start_restored_server(server_options));
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
            join({settings.server_binary, "--user=" + settings.owner,
                  "--datadir=" + datadir.string()}) +
            (server_options.log_bin.empty() ? "" : " --log-bin=" + server_options.log_bin) + "\n";
    if (manifest.method != "physical") {
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
  TRY(jobs::require_datadir_backup(manifest));
  nlohmann::json document = {{"ok", true},
                             {"id", manifest.id},
                             {"set", manifest.set},
                             {"binlog", manifest.facts.value("binlog", nlohmann::json())}};
  if (request.binlog_info_only) {
    if (context.global().json) {
      context.print_json(document);
    } else {
      context.print(jobs::describe_binlog_position(manifest));
    }
    return 0;
  }

  TRY_ASSIGN(auto* repository, context.repository());
  const auto settings = restore_settings_for(context, manifest.set);
  jobs::DatadirRestoreOptions options{request.datadir, request.force, settings.owner};
  TRY_ASSIGN(auto restored, jobs::restore_datadir(repository->backend(), manifest, options));
  document["datadir"] = restored.datadir.string();
  document["files"] = restored.files;
  document["bytes"] = restored.bytes;
  if (restored.previous_kept_as) document["previous_kept_as"] = restored.previous_kept_as->string();
  std::string text = "restored " + manifest.set + "/" + manifest.id + " into " +
                     restored.datadir.string() + " (" + std::to_string(restored.files) +
                     " files, owned by " + settings.owner + ")\n";
  if (restored.previous_kept_as) {
    text += "the previous content is kept in " + restored.previous_kept_as->string() + "\n";
  }
  text += jobs::describe_binlog_position(manifest);
  return finish_datadir_restore(context, manifest, restored.datadir, request.start,
                                std::move(document), std::move(text));
}

}  // namespace dbkeep::cli
