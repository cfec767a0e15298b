#include "dbkeep/cli/backup_view.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/verify/restore_drill.hpp"
#include "dbkeep/verify/verification_record.hpp"

namespace dbkeep::cli {

Result<int> show_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  auto ids = context.args().positionals();
  TRY(context.args().expect_empty("show"));
  if (ids.size() != 1) return usage_error("dbkeep show needs exactly one backup ID");
  TRY_ASSIGN(auto* repository, context.repository());
  TRY_ASSIGN(auto manifest, repository->find(ids.front(), set));
  TRY_ASSIGN(bool pinned, repository->is_pinned(manifest.set, manifest.id));
  TRY_ASSIGN(auto checked,
             verify::last_verification(repository->backend(), manifest.set, manifest.id));
  if (context.global().json) {
    // The manifest itself, plus what lives next to it rather than in it: pin and last check.
    auto document = repo::manifest_to_json(manifest);
    document["pinned"] = pinned;
    document["last_verified"] = checked ? *checked : nlohmann::json(nullptr);
    context.print_json(document);
  } else {
    context.print(backup_details(manifest, pinned) +
                  "last verified: " + describe_last_verification(checked) + "\n");
  }
  return 0;
}

}  // namespace dbkeep::cli
