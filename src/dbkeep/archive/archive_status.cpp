#include "dbkeep/archive/archive_status.hpp"

#include <algorithm>

#include "dbkeep/repo/binlog_position.hpp"

namespace dbkeep::archive {

ArchiveReport build_archive_report(const std::string& set, ArchiveCatalog catalog,
                                   const std::vector<repo::Manifest>& backups,
                                   std::optional<ServerPosition> server, std::string server_problem,
                                   std::int64_t now, std::int64_t max_lag_seconds) {
  ArchiveReport report;
  report.set = set;
  report.catalog = std::move(catalog);
  report.server = std::move(server);
  report.server_problem = std::move(server_problem);
  const auto& archive = report.catalog;

  for (const auto& manifest : backups) {
    BaseCoverage base;
    base.id = manifest.id;
    base.taken_at = manifest.started_at.time_since_epoch().count();
    if (auto position = repo::read_binlog_position(manifest);
        position && !position->binlog_file.empty()) {
      base.position = BinlogPoint{position->binlog_file, position->binlog_position};
      base.window = archive.window_containing(*base.position, position->server_id);
    }
    report.bases.push_back(std::move(base));
  }
  for (std::size_t w = 0; w < archive.windows.size(); ++w) {
    const BaseCoverage* oldest = nullptr;
    for (const auto& base : report.bases) {
      if (base.window == w && (!oldest || base.taken_at < oldest->taken_at)) oldest = &base;
    }
    if (!oldest) continue;
    report.ranges.push_back({w, oldest->id, oldest->taken_at,
                             archive.entries[archive.windows[w].last].last_event_time});
  }

  if (archive.empty()) report.alerts.push_back("nothing is archived yet");
  for (const auto& gap : archive.gaps)
    report.alerts.push_back(std::string(kGapAlertPrefix) + gap.reason);
  for (const auto& problem : archive.problems) report.alerts.push_back(problem);
  if (!archive.empty() && report.server) {
    const auto& last = archive.last();
    report.lag_seconds =
        report.server->point == last.end ? 0 : std::max<std::int64_t>(0, now - last.stored_at);
    if (max_lag_seconds > 0 && *report.lag_seconds > max_lag_seconds) {
      report.alerts.push_back("the archive is " + std::to_string(*report.lag_seconds) +
                              " s behind the server (max_lag " + std::to_string(max_lag_seconds) +
                              " s): is `dbkeep archive run` running?");
    }
  }
  if (!archive.empty() && report.ranges.empty()) {
    report.alerts.push_back(
        std::string(backups.empty() ? "the set has no backup yet"
                                    : "no base backup's binlog position lies in the archive") +
        ": nothing can be rolled forward yet; take a backup while the archiver runs");
  }
  return report;
}

}  // namespace dbkeep::archive
