#pragma once
// Flags and backup selection shared by the restore targets (restore_command, restore_to_server,
// restore_to_sql).

#include <map>
#include <optional>
#include <string>

#include "dbkeep/cli/command.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/restore/table_selection.hpp"

namespace dbkeep::cli {

// Every --rename-schema OLD=NEW (a kUsage error for anything else).
Result<std::map<std::string, std::string>> renames_from_flags(Arguments& args);

// --only LIST (restore/table_selection.hpp), or nullopt without it.
Result<std::optional<restore::TableSelection>> only_from_flags(Arguments& args);

// The backup `id` names (of `set`, when given); "latest" is the newest complete backup.
Result<repo::Manifest> find_backup(CommandContext& context, const std::string& id,
                                   const std::optional<std::string>& set);

}  // namespace dbkeep::cli
