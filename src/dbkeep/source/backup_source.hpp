#pragma once
// Where a backup's bytes come from. One implementation per source + method (sqlite/online,
// mysql/snapshot, mysql/logical, mysql/physical). A source stores its files through the
// BackupSession and records what it knows in session.facts().
//
// To add a method: implement BackupSource in source/<kind>/, then return it from
// make_backup_source() in source/backup_source.cpp.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/backup_session.hpp"

namespace dbkeep::source {

struct SizeEstimate {
  std::uint64_t source_bytes = 0;  // bytes the backup will read (before compression)
  std::uint64_t temp_bytes = 0;    // scratch space needed in the temp directory
};

// Called by a source at the named stages of its backup (the snapshot method: pre_lock,
// post_lock, post_snapshot) with what it knows so far, as DBKEEP_* environment variables for
// the [set.hooks] stage hooks. An error aborts the backup. Never called while a lock is held.
using StageHook = std::function<Result<void>(std::string_view stage,
                                             const std::map<std::string, std::string>& facts)>;

class BackupSource {
 public:
  virtual ~BackupSource() = default;
  // Cheap look at the source for the free-space check; also proves it is reachable.
  virtual Result<SizeEstimate> estimate() = 0;
  // Takes the backup, storing every file through `session`.
  virtual Result<void> run(repo::BackupSession& session) = 0;

  void set_stage_hook(StageHook hook) { stage_hook_ = std::move(hook); }

 protected:
  Result<void> reach_stage(std::string_view stage,
                           const std::map<std::string, std::string>& facts) const {
    if (!stage_hook_) return {};
    return stage_hook_(stage, facts);
  }

 private:
  StageHook stage_hook_;
};

// `scratch_dir` is a private directory for this run (removed afterwards, and by the next run
// of the set if this one is killed).
Result<std::unique_ptr<BackupSource>> make_backup_source(const core::Config& config,
                                                         const core::SetConfig& set,
                                                         const std::filesystem::path& scratch_dir);

}  // namespace dbkeep::source
