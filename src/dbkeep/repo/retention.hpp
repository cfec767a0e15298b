#pragma once
// The retention engine: given every backup of a set and the set's policy, decides which to keep
// and why. Pure logic (apart from reading the policy's zoneinfo file); the prune command does the
// deleting. docs/retention.md explains the semantics for users, with an example calendar.
//
// Contract, precisely:
//  * Only complete backups (those with a manifest) are kept by rules or counted by them. Every
//    incomplete one is decided keep = false with the reason "incomplete leftover", even when
//    pinned or depended upon, since it cannot be restored. The caller must not delete the one a
//    backup running right now is writing (the repository lock guarantees there is none).
//  * "Newer" means a later started_at; equal started_at are ordered by id, the larger id newer.
//  * Rules combine as a union; a kept backup lists every rule that keeps it, in this order:
//      "pinned"           pinned backups are always kept;
//      "newest"           the newest complete backup is always kept;
//      "last N"           keep_last: the N newest complete backups;
//      "within 14d"       keep_within: complete backups started at or after window_start(newest
//                         complete backup's started_at, duration) — counted from it, not from now;
//      "hourly 2026-11-20 14:00", "daily 2026-11-20", "weekly 2026-W47", "monthly 2026-11",
//      "yearly 2026"      keep_<bucket> = N: the buckets are the local hour / day / ISO 8601 week /
//                         month / year of started_at in policy.time_zone; the N newest buckets
//                         that contain a complete backup each keep their newest backup;
//      "needed by ID"     a kept backup's depends_on base (transitively) is kept, with one such
//                         reason per kept backup that names it as its direct base.
//  * Nothing is measured from the current time, so results do not change with the clock; a
//    future-dated backup is simply the newest one.
//  * Output: one decision per input backup, newest first.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/retention_policy.hpp"

namespace dbkeep::repo {

// What the engine needs to know of a backup (from its manifest, or from a leftover directory).
struct BackupRecord {
  std::string id;
  std::chrono::sys_seconds started_at;    // UTC, from the manifest
  bool complete = false;                  // its manifest exists
  bool pinned = false;                    // `dbkeep pin ID`
  std::optional<std::string> depends_on;  // for an incremental: the id of the backup it needs
};

struct RetentionDecision {
  std::string id;
  bool keep = false;
  std::vector<std::string> reasons;  // why it is kept; "incomplete leftover" for incomplete ones

  bool operator==(const RetentionDecision&) const = default;
};

// Applies `policy` to `backups` (any order). Fails with a usage error for an invalid policy
// (see validate()) and with kFailed when two backups share an id.
Result<std::vector<RetentionDecision>> decide_retention(std::span<const BackupRecord> backups,
                                                        const RetentionPolicy& policy);

// The bucket labels used in reasons, for `local` wall-clock time: "2026-11-20 14:00",
// "2026-11-20", "2026-W47" (ISO 8601 week-year and week), "2026-11", "2026".
std::string hour_label(std::chrono::local_seconds local);
std::string day_label(std::chrono::local_seconds local);
std::string iso_week_label(std::chrono::local_seconds local);
std::string month_label(std::chrono::local_seconds local);
std::string year_label(std::chrono::local_seconds local);

}  // namespace dbkeep::repo
