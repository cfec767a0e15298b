#pragma once
// `dbkeep backup --dry-run`: what a backup of a set would do, found out without doing any of it.
// A plan connects to the database read-only (version, datadir, size; the datadir check of the
// snapshot and physical methods), reads file sizes and the repository's catalog and free space,
// and nothing else: no set lock, no global lock, no snapshot, no scratch directory, no leftover
// removal (those belong to the real run), no file written.

#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/repo/repository.hpp"

namespace dbkeep::backup {

struct PlanLine {
  std::string label;  // "source", "lock", "commands", "hooks", "space", "retention", "retries"
  std::vector<std::string> text;  // one entry per printed line
};

struct BackupPlan {
  std::string set;
  std::string summary;                // "mysql, snapshot, zstd level 3"
  std::vector<PlanLine> lines;        // in the order a run would meet them
  std::vector<std::string> problems;  // what would make the real run fail (unreachable server, …)
};

// Never fails: whatever cannot be found out is a problem in the plan.
BackupPlan plan_backup(const core::Config& config, const core::SetConfig& set,
                       repo::Repository& repository);

}  // namespace dbkeep::backup
