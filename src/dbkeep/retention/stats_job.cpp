#include "dbkeep/retention/stats_job.hpp"

#include "dbkeep/retention/prune_job.hpp"

namespace dbkeep::retention {

std::optional<double> SetStats::compression_ratio() const {
  if (stored_size == 0) return std::nullopt;
  return static_cast<double>(size) / static_cast<double>(stored_size);
}

Result<SetStats> collect_stats(repo::Repository& repository, const core::SetConfig& set) {
  TRY_ASSIGN(const auto policy, retention_policy(set.retention));
  TRY_ASSIGN(const auto catalog, repository.list(set.name));
  SetStats stats{.set = set.name, .problems = catalog.problems};
  for (const auto& manifest : catalog.backups) {
    ++stats.backups;
    stats.pinned += catalog.is_pinned(manifest) ? 1 : 0;
    stats.size += manifest.total_size();
    stats.stored_size += manifest.total_stored_size();
  }
  if (!catalog.backups.empty()) {  // newest first
    stats.newest = catalog.backups.front().started_at;
    stats.oldest = catalog.backups.back().started_at;
  }
  TRY_ASSIGN(const auto entries, decide_for_catalog(catalog, set.name, policy));
  for (const auto& entry : entries) {
    if (entry.keep) continue;
    ++stats.prunable;
    stats.prunable_bytes += entry.stored_size;
  }
  return stats;
}

}  // namespace dbkeep::retention
