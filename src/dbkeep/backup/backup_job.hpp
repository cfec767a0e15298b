#pragma once
// A backup of one set, as a list of steps: lock the set, remove leftovers of killed runs,
// look at the source, check free space, take the backup, commit the manifest, and (unless
// prune_after_backup = false) prune the set, still under the lock.

#include <filesystem>
#include <string>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/source/backup_source.hpp"

namespace dbkeep::backup {

// `stage_hook` runs the stage hooks of sources that have stages (see source::StageHook).
Result<repo::Manifest> run_backup(const core::Config& config, const core::SetConfig& set,
                                  repo::Repository& repository, source::StageHook stage_hook = {});

// stored/plaintext of the set's newest backup (1.0 without one), to predict the next one's size.
double previous_stored_ratio(repo::Repository& repository, const std::string& set);

// Per-run scratch directories are named <temp_dir>/dbkeep-<set>-XXXXXX.
std::string scratch_prefix(const std::string& set);
// Removes scratch directories of killed runs of `set`. Caller holds the set lock.
Result<void> remove_stale_scratch_dirs(const std::filesystem::path& temp_dir,
                                       const std::string& set);

}  // namespace dbkeep::backup
