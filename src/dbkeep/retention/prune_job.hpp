#pragma once
// Applying a set's retention policy to the repository: decide with repo::decide_retention(),
// then delete what it does not keep. docs/retention.md describes the rules for users.
//
// Safety, beyond the engine's own rules (newest, pinned, needed-by are always kept):
//  * Incomplete leftovers are removed only while holding the set lock, so a running backup is
//    never mistaken for one.
//  * Backups are deleted newest first: an incremental always goes before the base it needs, so
//    an interrupted prune never leaves a listed incremental without its base.
//  * Each deletion removes the manifest first (Repository::remove_backup): an interrupted prune
//    leaves at worst an unlisted leftover, which the next prune or backup removes.
//  * Backups whose manifest cannot be read are left alone and reported.
//  * Archived binlog segments follow the kept backups (archive_retention.hpp), after them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/repo/retention_policy.hpp"
#include "dbkeep/retention/archive_retention.hpp"

namespace dbkeep::retention {

// The policy a set's [set.retention] asks for (load_config() has already checked it).
Result<repo::RetentionPolicy> retention_policy(const core::RetentionConfig& retention);

// What happens to one backup.
struct PruneEntry {
  std::string id;
  std::optional<core::Seconds> started_at;  // nullopt for an incomplete leftover
  std::uint64_t size = 0;                   // bytes read from the source (0 for a leftover)
  std::uint64_t stored_size = 0;  // bytes it occupies in the repository (leftover: its objects)
  bool complete = true;
  bool keep = false;
  std::vector<std::string> reasons;  // the rules that keep it; "incomplete leftover"
  bool deleted = false;              // actually removed (never in a dry run)
};

struct PruneReport {
  std::string set;
  bool dry_run = false;
  // Incomplete leftovers first, then the complete backups newest first.
  std::vector<PruneEntry> entries;
  std::vector<std::string> problems;  // unreadable manifests: left alone
  // The set's archived binlog segments, oldest first (empty without an archive).
  std::vector<SegmentPruneEntry> segments;

  [[nodiscard]] std::size_t kept() const;
  [[nodiscard]] std::size_t to_delete() const;
  // Stored bytes of the backups that are (or in a dry run would be) deleted.
  [[nodiscard]] std::uint64_t bytes_to_free() const;
};

// Decisions for the complete backups of `set` in `catalog`, newest first. Reads nothing but
// the zoneinfo file; used by prune and by stats.
Result<std::vector<PruneEntry>> decide_for_catalog(const repo::Catalog& catalog,
                                                   const std::string& set,
                                                   const repo::RetentionPolicy& policy);

struct PruneOptions {
  bool dry_run = false;  // decide and report, delete nothing
};

// Prunes `set`. The caller holds the set lock (the backup job does, right after its commit).
Result<PruneReport> prune_locked(repo::Repository& repository, const core::SetConfig& set,
                                 const PruneOptions& options);

// Takes the set lock (ErrorKind::kLocked when another dbkeep holds it), then prune_locked().
Result<PruneReport> run_prune(const core::Config& config, const core::SetConfig& set,
                              repo::Repository& repository, const PruneOptions& options);

}  // namespace dbkeep::retention
