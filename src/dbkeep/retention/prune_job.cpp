#include "dbkeep/retention/prune_job.hpp"

#include <algorithm>
#include <unordered_map>

#include "dbkeep/core/log.hpp"
#include "dbkeep/repo/retention.hpp"
#include "dbkeep/repo/set_lock.hpp"

namespace dbkeep::retention {
namespace {

// The incomplete backups of `set`, with the bytes their objects occupy.
Result<std::vector<PruneEntry>> leftover_entries(repo::Repository& repository,
                                                 const std::string& set) {
  TRY_ASSIGN(auto leftovers, repository.incomplete(set));
  std::vector<PruneEntry> entries;
  for (const auto& leftover : leftovers) {
    TRY_ASSIGN(auto objects,
               repository.backend().list(repo::Repository::backup_prefix(set, leftover.id)));
    PruneEntry entry{.id = leftover.id, .complete = false, .reasons = {"incomplete leftover"}};
    for (const auto& object : objects) entry.stored_size += object.size;
    entries.push_back(std::move(entry));
  }
  return entries;
}

// Deletes the complete backups the report does not keep, newest first (see the header).
Result<void> delete_unkept(repo::Repository& repository, PruneReport& report) {
  for (auto& entry : report.entries) {
    if (entry.keep || !entry.complete) continue;
    auto removed = repository.remove_backup(report.set, entry.id);
    if (!removed) {
      return propagate(removed.error().with_context(
          "prune of set '" + report.set + "' stopped at backup " + entry.id +
          " (its manifest may already be gone; the next prune finishes the removal)"));
    }
    entry.deleted = true;
    log::info("pruned backup " + report.set + "/" + entry.id + " (" +
              core::format_bytes(entry.stored_size) + ")");
  }
  return {};
}

}  // namespace

std::size_t PruneReport::kept() const {
  return static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [](const PruneEntry& e) { return e.keep; }));
}

std::size_t PruneReport::to_delete() const {
  return entries.size() - kept();
}

std::uint64_t PruneReport::bytes_to_free() const {
  std::uint64_t bytes = 0;
  for (const auto& entry : entries) bytes += entry.keep ? 0 : entry.stored_size;
  return bytes;
}

Result<repo::RetentionPolicy> retention_policy(const core::RetentionConfig& retention) {
  repo::RetentionPolicy policy;
  policy.keep_last = retention.keep_last;
  policy.keep_hourly = retention.keep_hourly;
  policy.keep_daily = retention.keep_daily;
  policy.keep_weekly = retention.keep_weekly;
  policy.keep_monthly = retention.keep_monthly;
  policy.keep_yearly = retention.keep_yearly;
  if (retention.keep_within) {
    TRY_ASSIGN(policy.keep_within, core::parse_duration(*retention.keep_within));
  }
  policy.time_zone = retention.time_zone;
  TRY(repo::validate(policy));
  return policy;
}

Result<std::vector<PruneEntry>> decide_for_catalog(const repo::Catalog& catalog,
                                                   const std::string& set,
                                                   const repo::RetentionPolicy& policy) {
  std::vector<repo::BackupRecord> records;
  std::unordered_map<std::string, const repo::Manifest*> manifests;
  for (const auto& manifest : catalog.backups) {
    if (manifest.set != set) continue;
    records.push_back({.id = manifest.id,
                       .started_at = manifest.started_at,
                       .complete = true,
                       .pinned = catalog.is_pinned(manifest),
                       .depends_on = manifest.depends_on});
    manifests.emplace(manifest.id, &manifest);
  }
  TRY_ASSIGN(auto decisions, repo::decide_retention(records, policy));

  std::vector<PruneEntry> entries;
  for (auto& decision : decisions) {
    const repo::Manifest& manifest = *manifests.at(decision.id);
    entries.push_back({.id = decision.id,
                       .started_at = manifest.started_at,
                       .size = manifest.total_size(),
                       .stored_size = manifest.total_stored_size(),
                       .keep = decision.keep,
                       .reasons = std::move(decision.reasons)});
  }
  // The engine promises this; checked again because a mistake here deletes every backup.
  if (!entries.empty() && !entries.front().keep) {
    return fail("retention would delete the newest backup " + entries.front().id + " of set '" +
                set + "'; refusing to prune (this is a bug in dbkeep)");
  }
  return entries;
}

Result<PruneReport> prune_locked(repo::Repository& repository, const core::SetConfig& set,
                                 const PruneOptions& options) {
  TRY_ASSIGN(const auto policy, retention_policy(set.retention));
  PruneReport report{.set = set.name, .dry_run = options.dry_run};
  TRY_ASSIGN(report.entries, leftover_entries(repository, set.name));
  if (!options.dry_run && !report.entries.empty()) {
    TRY(repository.remove_incomplete(set.name));
    for (auto& leftover : report.entries) leftover.deleted = true;
  }

  TRY_ASSIGN(auto catalog, repository.list(set.name));
  for (const auto& problem : catalog.problems) {
    log::warn("prune leaves unreadable backup alone: " + problem);
    report.problems.push_back(problem);
  }
  TRY_ASSIGN(auto decided, decide_for_catalog(catalog, set.name, policy));
  report.entries.insert(report.entries.end(), std::make_move_iterator(decided.begin()),
                        std::make_move_iterator(decided.end()));

  log::info(std::string(options.dry_run ? "prune (dry run)" : "prune") + " of set '" + set.name +
            "': keeping " + std::to_string(report.kept()) + ", deleting " +
            std::to_string(report.to_delete()) + " (" + core::format_bytes(report.bytes_to_free()) +
            ")");
  if (!options.dry_run) TRY(delete_unkept(repository, report));

  TRY_ASSIGN(auto archived, archive::load_archive(repository.backend(), set.name));
  if (!archived.empty()) {
    std::vector<repo::Manifest> kept;
    for (const auto& manifest : catalog.backups) {
      bool keeps = std::ranges::any_of(report.entries, [&](const PruneEntry& entry) {
        return entry.keep && entry.complete && entry.id == manifest.id;
      });
      if (manifest.set == set.name && keeps) kept.push_back(manifest);
    }
    report.segments = decide_archive_retention(archived, kept);
    if (!options.dry_run) {
      TRY(delete_unkept_segments(repository.backend(), set.name, archived, report.segments));
    }
  }
  return report;
}

Result<PruneReport> run_prune(const core::Config& config, const core::SetConfig& set,
                              repo::Repository& repository, const PruneOptions& options) {
  TRY_ASSIGN(auto lock, repo::SetLock::acquire(config.repository.state_dir, set.name));
  return prune_locked(repository, set, options);
}

}  // namespace dbkeep::retention
