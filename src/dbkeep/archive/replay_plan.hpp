#pragma once
// The point-in-time part of a restore: which base backup, which archived segments, and where
// to stop. Planned before anything is written, so a target the archive cannot reach (a gap, a
// base newer than the target, a base outside the archive) is refused with nothing changed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/archive/archive_catalog.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"

namespace dbkeep::archive {

enum class TargetKind { kLatest, kTime, kGtid };

struct ReplayTarget {
  TargetKind kind = TargetKind::kLatest;
  std::int64_t time = 0;  // kTime: the last transaction committed at or before it is applied
  std::string gtid;       // kGtid: the last transaction applied ("0-1-42" or "uuid:42")

  [[nodiscard]] std::string describe() const;
};

// From the restore flags: --to-time "YYYY-MM-DD HH:MM:SS[Z|±HH:MM]" (UTC unless it says
// otherwise), --to-gtid G, --to-latest; nullopt when none is given. Two of them: kUsage.
Result<std::optional<ReplayTarget>> parse_replay_target(const std::optional<std::string>& to_time,
                                                        const std::optional<std::string>& to_gtid,
                                                        bool to_latest);

struct ReplayPlan {
  std::string base_id;
  BinlogPoint from;                   // the base backup's recorded position
  std::vector<std::size_t> segments;  // indexes into the catalog's entries, in order
  std::uint64_t stored_bytes = 0;
  std::uint64_t plain_bytes = 0;      // what the replay file will hold at most
  std::int64_t archive_end_time = 0;  // the window's last archived event
  std::string note;                   // e.g. "the target is after the last archived event"
};

// Checks that `base` can be rolled forward to `target` in `catalog` and lists the segments.
Result<ReplayPlan> plan_replay(const ArchiveCatalog& catalog, const repo::Manifest& base,
                               const ReplayTarget& target);

// The newest of `backups` (newest first) that `target` can be reached from: its position lies
// in a window and it was taken at or before the target time. kUsage error when none can.
Result<repo::Manifest> choose_base(const ArchiveCatalog& catalog,
                                   const std::vector<repo::Manifest>& backups,
                                   const ReplayTarget& target);

}  // namespace dbkeep::archive
