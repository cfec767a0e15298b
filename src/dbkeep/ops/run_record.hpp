#pragma once
// The outcome of the latest backup run of each set, kept as <state_dir>/runs/<set>.json. It is
// what the metrics file, `dbkeep status` and notifications are made from, and it remembers the
// last success across failed runs.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/core/time_format.hpp"

namespace dbkeep::ops {

struct RunRecord {
  std::string set;
  bool success = false;
  std::string error;                     // the failure, empty on success; never a secret
  std::optional<std::string> backup_id;  // set when a backup was committed
  core::Seconds started_at{};
  core::Seconds finished_at{};
  std::int64_t duration_ms = 0;    // of the last attempt; started_at is the first attempt's
  std::uint64_t size_bytes = 0;    // bytes read from the source
  std::uint64_t stored_bytes = 0;  // bytes in the repository
  std::optional<std::int64_t> lock_held_ms;      // from the manifest's facts, when the method locks
  std::optional<core::Seconds> last_success_at;  // carried over from earlier runs
  // When a restore test (`verify --restore-test`) of this set last passed; carried over.
  std::optional<core::Seconds> last_restore_test_at;
  // Attempts this run took ([set] retries): 1 without a retry. The errors of the attempts that
  // failed before the last one, oldest first (the last attempt's is `error`).
  int attempts = 1;
  std::vector<std::string> attempt_errors;
  // Runs in a row that failed, this one included: 0 after a success. Carried over.
  int consecutive_failures = 0;
  // A success after failed runs: how many failed before it (for the recovery notification).
  std::optional<int> recovered_after_failures;

  [[nodiscard]] std::string status() const { return success ? "success" : "failed"; }
};

nlohmann::json run_record_to_json(const RunRecord& record);
Result<RunRecord> run_record_from_json(const nlohmann::json& document);

class RunRecordStore {
 public:
  explicit RunRecordStore(std::filesystem::path directory) : directory_(std::move(directory)) {}

  // Writes the record atomically (0640).
  Result<void> save(const RunRecord& record) const;
  // The set's record; nullopt when it never ran. A corrupt record is an error.
  Result<std::optional<RunRecord>> load(const std::string& set) const;

 private:
  std::filesystem::path directory_;
};

// The store in <state_dir>/runs.
RunRecordStore run_record_store(const core::Config& config);

}  // namespace dbkeep::ops
