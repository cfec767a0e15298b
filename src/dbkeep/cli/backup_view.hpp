#pragma once
// How backups are shown: one summary object per backup for --json (stable field names), and
// an aligned table for people.

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/manifest.hpp"

namespace dbkeep::cli {

// "2026-11-21 02:00:00": a UTC time for tables whose header says UTC.
std::string table_time(core::Seconds time);

// {"id","set","source","method","started_at","finished_at","duration_ms","files","size",
//  "stored_size","status","pinned"}
nlohmann::json backup_summary_json(const repo::Manifest& manifest, bool pinned = false);
// `pinned` holds "<set>/<id>" of pinned backups (repo::Catalog::pinned); `verified` holds one
// describe_last_verification() label per backup (same order), or is empty.
std::string backup_table(const std::vector<repo::Manifest>& backups,
                         const std::set<std::string>& pinned = {},
                         const std::vector<std::string>& verified = {});
// "never", or "checksums 2026-11-21T03:00:00Z OK" / "drill … FAILED" from the newest
// verification record (verify::last_verification).
std::string describe_last_verification(const std::optional<nlohmann::json>& record);
// Several lines describing one manifest in full, for `dbkeep show`.
std::string backup_details(const repo::Manifest& manifest, bool pinned = false);

}  // namespace dbkeep::cli
