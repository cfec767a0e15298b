#include "dbkeep/cli/restore_physical.hpp"

#include "dbkeep/cli/restore_datadir.hpp"
#include "dbkeep/jobs/physical_restore.hpp"

namespace dbkeep::cli {

Result<int> restore_physical_command(CommandContext& context, const repo::Manifest& manifest,
                                     const PhysicalRestoreRequest& request) {
  TRY_ASSIGN(auto* repository, context.repository());
  const auto settings = restore_settings_for(context, manifest.set);
  jobs::PhysicalRestoreOptions options{request.datadir, request.force, settings.owner};
  TRY_ASSIGN(auto restored, jobs::restore_physical(*repository, manifest, options));

  nlohmann::json document = {{"ok", true},
                             {"id", manifest.id},
                             {"set", manifest.set},
                             {"datadir", restored.datadir.string()},
                             {"chain", restored.chain}};
  if (restored.previous_kept_as) document["previous_kept_as"] = restored.previous_kept_as->string();
  std::string text = "restored " + manifest.set + "/" + manifest.id + " into " +
                     restored.datadir.string() + " (" + std::to_string(restored.chain.size()) +
                     " backup" + (restored.chain.size() == 1 ? "" : "s") + " applied, owned by " +
                     settings.owner + ")\n";
  if (restored.previous_kept_as) {
    text += "the previous content is kept in " + restored.previous_kept_as->string() + "\n";
  }
  return finish_datadir_restore(context, manifest, restored.datadir, request.start,
                                std::move(document), std::move(text));
}

}  // namespace dbkeep::cli
