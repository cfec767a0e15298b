#pragma once
// What `archive status` reports for one set: the windows of unbroken archive, the gaps
// between them, each base backup's place in them (a base whose position no window holds can be
// restored, but not rolled forward), and how far the archive lags the server.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/archive/archive_catalog.hpp"
#include "dbkeep/repo/manifest.hpp"

namespace dbkeep::archive {

// How an alert about a gap begins (the rest is the gap's reason).
inline constexpr std::string_view kGapAlertPrefix = "gap: ";

struct BaseCoverage {
  std::string id;
  std::int64_t taken_at = 0;            // the backup's start, seconds since the epoch
  std::optional<BinlogPoint> position;  // nullopt: the manifest records none
  std::optional<std::size_t> window;    // the window that holds its position
};

struct RecoverableRange {
  std::size_t window = 0;
  std::string oldest_base;  // the oldest base backup the range starts from
  std::int64_t from = 0;    // that base's time
  std::int64_t to = 0;      // the window's last archived event
};

struct ServerPosition {
  BinlogPoint point;  // SHOW MASTER STATUS now
};

struct ArchiveReport {
  std::string set;
  ArchiveCatalog catalog;
  std::vector<BaseCoverage> bases;       // newest first, as the catalog lists backups
  std::vector<RecoverableRange> ranges;  // oldest first
  std::optional<ServerPosition> server;  // nullopt when the server could not be asked
  std::string server_problem;            // why not
  // Seconds the archive is behind: 0 when it holds everything the server has written; else
  // how long ago the archive last advanced. nullopt without a server position.
  std::optional<std::int64_t> lag_seconds;
  std::vector<std::string> alerts;  // reasons for exit 3: gaps, unreadable entries, lag, none yet

  [[nodiscard]] bool healthy() const { return alerts.empty(); }
};

// `backups`: the set's complete backups, newest first. `max_lag_seconds` 0: no lag alert.
ArchiveReport build_archive_report(const std::string& set, ArchiveCatalog catalog,
                                   const std::vector<repo::Manifest>& backups,
                                   std::optional<ServerPosition> server, std::string server_problem,
                                   std::int64_t now, std::int64_t max_lag_seconds);

}  // namespace dbkeep::archive
