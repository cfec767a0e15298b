#pragma once
// Where a backup's bytes come from. One implementation per source + method (sqlite/online,
// mysql/snapshot, mysql/logical, mysql/physical). A source stores its files through the
// BackupSession and records what it knows in session.facts().
//
// To add a method: implement BackupSource in source/<kind>/, then return it from
// make_backup_source() in source/backup_source.cpp.

#include <cstdint>
#include <filesystem>
#include <memory>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/backup_session.hpp"

namespace dbkeep::source {

struct SizeEstimate {
  std::uint64_t source_bytes = 0;  // bytes the backup will read (before compression)
  std::uint64_t temp_bytes = 0;    // scratch space needed in the temp directory
};

class BackupSource {
 public:
  virtual ~BackupSource() = default;
  // Cheap look at the source for the free-space check; also proves it is reachable.
  virtual Result<SizeEstimate> estimate() = 0;
  // Takes the backup, storing every file through `session`.
  virtual Result<void> run(repo::BackupSession& session) = 0;
};

// `scratch_dir` is a private directory for this run (removed afterwards, and by the next run
// of the set if this one is killed).
Result<std::unique_ptr<BackupSource>> make_backup_source(const core::Config& config,
                                                         const core::SetConfig& set,
                                                         const std::filesystem::path& scratch_dir);

}  // namespace dbkeep::source
