#pragma once
// How `backup --dry-run` and `daemon --dry-run` show a backup plan: aligned labelled lines for
// people, one object per set for --json.

#include <nlohmann/json.hpp>
#include <string>

#include "dbkeep/backup/backup_plan.hpp"

namespace dbkeep::cli {

// "set 'main' (mysql, snapshot, zstd level 3)\n  source     …\n  WOULD FAIL …\n"
std::string plan_text(const backup::BackupPlan& plan);
// {"set", "summary", "<label>": [lines…] for each line, "problems": [...], "would_succeed"}
nlohmann::json plan_json(const backup::BackupPlan& plan);

}  // namespace dbkeep::cli
