#pragma once
// `dbkeep verify --restore-test`: after the checksum pass, restore a backup into scratch space
// and prove it works, without touching the production database or server.
//
// SQLite: the database is restored to a temp file, must pass PRAGMA integrity_check, and every
// table's row count must equal the count recorded in the manifest at backup time.
// MySQL (snapshot, physical, logical): jobs/mysql_drill.hpp, on a scratch server.
// Each drill's result is recorded next to the backup as <set>/<id>/drills/<UTC id>.json; the
// manifest is never rewritten.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/file_owner.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::verify {

struct DrillReport {
  std::string set;
  std::string id;
  core::Seconds started_at{};
  std::int64_t duration_ms = 0;
  std::size_t tables_checked = 0;
  std::uint64_t rows_checked = 0;
  std::vector<std::string> problems;  // precise: names the table or file
  std::string rolled_forward;         // a point-in-time drill: what was applied (else empty)
  [[nodiscard]] bool ok() const { return problems.empty(); }
};

struct DrillOptions {
  std::filesystem::path temp_dir;  // the scratch directory is made (and removed) inside
  std::string server_binary;       // [verify] server_binary; empty: found automatically
  core::FileOwner owner = core::FileOwner::named("mysql");  // [set.restore] owner
  // A point-in-time drill (MySQL): applied to the scratch server once the backup is restored
  // or loaded, before the checks; says what it applied. Its failure is a drill problem, and
  // the row counts the manifest recorded at backup time are then not expected.
  std::function<Result<std::string>(const source::mysql::ConnectionOptions& server)> roll_forward;
};

// True when a restore drill exists for the backup's method.
bool restore_drill_available(const repo::Manifest& manifest);

// Runs the drill. Errors are for drills that could not run (no scratch space, no server
// binary, unsupported method: kUsage) or were cancelled; what the drill finds wrong goes into
// report.problems. The scratch directory (and any scratch server) is gone when this returns.
Result<DrillReport> run_restore_drill(repo::Repository& repository, const repo::Manifest& manifest,
                                      const DrillOptions& options);

// Stores the report as <set>/<id>/drills/<YYYYMMDD_HHMMSS>.json.
Result<void> record_drill(storage::Backend& backend, const DrillReport& report);
nlohmann::json drill_to_json(const DrillReport& report);

// The newest recorded drill of a backup, if any.
Result<std::optional<nlohmann::json>> last_drill(storage::Backend& backend, const std::string& set,
                                                 const std::string& id);

}  // namespace dbkeep::verify
