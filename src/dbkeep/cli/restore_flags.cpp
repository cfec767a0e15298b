#include "dbkeep/cli/restore_flags.hpp"

namespace dbkeep::cli {

Result<std::map<std::string, std::string>> renames_from_flags(Arguments& args) {
  std::map<std::string, std::string> renames;
  while (true) {
    TRY_ASSIGN(auto rename, args.option("--rename-schema"));
    if (!rename) return renames;
    auto equals = rename->find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == rename->size()) {
      return usage_error("--rename-schema needs OLD=NEW, got '" + *rename + "'");
    }
    renames[rename->substr(0, equals)] = rename->substr(equals + 1);
  }
}

Result<std::optional<restore::TableSelection>> only_from_flags(Arguments& args) {
  TRY_ASSIGN(auto list, args.option("--only"));
  if (!list) return std::optional<restore::TableSelection>();
  TRY_ASSIGN(auto selection, restore::TableSelection::parse(*list));
  return std::optional<restore::TableSelection>(std::move(selection));
}

Result<repo::Manifest> find_backup(CommandContext& context, const std::string& id,
                                   const std::optional<std::string>& set) {
  TRY_ASSIGN(auto* repository, context.repository());
  if (id == "latest") return repository->latest(set);
  return repository->find(id, set);
}

}  // namespace dbkeep::cli
