#pragma once
// What a verification leaves next to a backup, so `list` and `show` can say when it was last
// checked. `verify` records each checksum verification as <set>/<id>/checks/<YYYYMMDD_HHMMSS>.json
// (like the drill records of `verify --restore-test` in drills/, restore_drill.hpp). A record
// only decorates the listing: one that cannot be read counts as none.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/storage/backend.hpp"
#include "dbkeep/verify/verify_job.hpp"

namespace dbkeep::verify {

// Stores {"kind": "checksums", "started_at", "ok", "files_checked", "bytes_checked",
// "problems"} for a finished verify_backup().
Result<void> record_checksum_check(storage::Backend& backend, const VerifyReport& report,
                                   core::Seconds started_at);

// The newest verification of the backup of either kind, with "kind" set to "checksums" or
// "drill"; a drill wins a tie, since it re-read the checksums too.
Result<std::optional<nlohmann::json>> last_verification(storage::Backend& backend,
                                                        const std::string& set,
                                                        const std::string& id);

// The newest JSON record under `prefix` (keys are <YYYYMMDD_HHMMSS>.json, so they sort by time).
Result<std::optional<nlohmann::json>> newest_record(storage::Backend& backend,
                                                    const std::string& prefix);

}  // namespace dbkeep::verify
