#include "dbkeep/cli/restore_physical.hpp"

#include "dbkeep/jobs/physical_restore.hpp"

namespace dbkeep::cli {

Result<int> restore_physical_command(CommandContext& context, const repo::Manifest& manifest,
                                     const PhysicalRestoreRequest& request) {
  if (request.start) {
    return usage_error("--start is not available for physical backups in this build yet; " +
                       std::string("start the server yourself (the command is printed)"));
  }
  TRY_ASSIGN(auto* repository, context.repository());
  jobs::PhysicalRestoreOptions options{request.datadir, request.force};
  TRY_ASSIGN(auto restored, jobs::restore_physical(*repository, manifest, options));

  nlohmann::json document = {{"ok", true},
                             {"id", manifest.id},
                             {"set", manifest.set},
                             {"datadir", restored.datadir.string()},
                             {"chain", restored.chain}};
  if (restored.previous_kept_as) document["previous_kept_as"] = restored.previous_kept_as->string();
  std::string text = "restored " + manifest.set + "/" + manifest.id + " into " +
                     restored.datadir.string() + " (" + std::to_string(restored.chain.size()) +
                     " backup" + (restored.chain.size() == 1 ? "" : "s") + " applied)\n";
  if (restored.previous_kept_as) {
    text += "the previous content is kept in " + restored.previous_kept_as->string() + "\n";
  }
  text +=
      "start a server on it with your usual options, e.g.:\n  mariadbd --user=" + options.owner +
      " --datadir=" + restored.datadir.string() + "\n";
  if (context.global().json) {
    context.print_json(document);
  } else {
    context.print(text);
  }
  return 0;
}

}  // namespace dbkeep::cli
