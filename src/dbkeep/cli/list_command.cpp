#include "dbkeep/cli/backup_view.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/verify/restore_drill.hpp"
#include "dbkeep/verify/verification_record.hpp"

namespace dbkeep::cli {

Result<int> list_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  TRY(context.args().expect_empty("list"));
  if (set) TRY(context.selected_sets(set));  // an unknown set name is a usage error
  TRY_ASSIGN(auto* repository, context.repository());
  TRY_ASSIGN(auto catalog, repository->list(set));
  for (const auto& problem : catalog.problems) log::warn("unreadable backup: " + problem);

  std::vector<std::string> verified;
  nlohmann::json backups = nlohmann::json::array();
  for (const auto& manifest : catalog.backups) {
    TRY_ASSIGN(auto checked,
               verify::last_verification(repository->backend(), manifest.set, manifest.id));
    verified.push_back(describe_last_verification(checked));
    auto summary = backup_summary_json(manifest, catalog.is_pinned(manifest));
    summary["last_verified"] = checked ? *checked : nlohmann::json(nullptr);
    backups.push_back(std::move(summary));
  }
  if (context.global().json) {
    context.print_json({{"backups", backups}, {"problems", catalog.problems}});
    return 0;
  }
  if (catalog.backups.empty()) {
    context.print("no backups yet in " + repository->backend().describe() + "\n");
    return 0;
  }
  context.print(backup_table(catalog.backups, catalog.pinned, verified));
  return 0;
}

}  // namespace dbkeep::cli
