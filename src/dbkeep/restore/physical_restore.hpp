#pragma once
// Restores a physical backup (method "physical") into a directory a server can start on:
// fetches the chain (the full backup, then each incremental in order), each stream checked
// against its manifest checksum while it is unpacked by mbstream/xbstream, runs the tool's
// --prepare (applying the incrementals in order), then moves the prepared files into the
// target and hands them to `owner` the same way the snapshot restore does (hand_over_datadir).
//
// Target rules: DIR must be empty or missing. With `force`, a non-empty DIR is renamed to
// DIR.before-restore-<UTC timestamp> first: old data is moved, never deleted. The work happens in
// a hidden staging directory inside DIR (same filesystem, so the final move is a rename and a
// mount point works as DIR); a failed restore removes it and leaves DIR empty.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/file_owner.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"

namespace dbkeep::restore {

struct PhysicalRestoreOptions {
  std::filesystem::path datadir;
  bool force = false;
  core::FileOwner owner = core::FileOwner::named("mysql");  // [set.restore] owner
};

struct PhysicalRestoreResult {
  std::filesystem::path datadir;  // absolute
  std::optional<std::filesystem::path> previous_kept_as;
  std::vector<std::string> chain;  // ids applied, full backup first
};

// The --prepare commands for a full backup unpacked in `base` and its incrementals (in order):
// one per step, the full backup first. xtrabackup gets --apply-log-only on every step but the
// last (it must not roll back before the next incremental); mariabackup rejects that option.
std::vector<std::vector<std::string>> prepare_commands(
    const std::string& tool, const std::filesystem::path& base,
    const std::vector<std::filesystem::path>& incrementals);

// The backups `last` needs, oldest (the full backup) first, `last` included. A missing base is
// a kFailed error naming it.
Result<std::vector<repo::Manifest>> physical_chain(repo::Repository& repository,
                                                   const repo::Manifest& last);

Result<PhysicalRestoreResult> restore_physical(repo::Repository& repository,
                                               const repo::Manifest& manifest,
                                               const PhysicalRestoreOptions& options);

}  // namespace dbkeep::restore
