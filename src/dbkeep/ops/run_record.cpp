#include "dbkeep/ops/run_record.hpp"

#include "dbkeep/ops/state_record_file.hpp"

namespace dbkeep::ops {
namespace {

std::optional<core::Seconds> time_field(const nlohmann::json& document, const char* key) {
  if (!document.contains(key) || !document[key].is_string()) return std::nullopt;
  return core::parse_iso_utc(document[key].get<std::string>());
}

}  // namespace

nlohmann::json run_record_to_json(const RunRecord& record) {
  nlohmann::json document = {
      {"set", record.set},
      {"status", record.status()},
      {"error", record.error},
      {"started_at", core::format_iso_utc(record.started_at)},
      {"finished_at", core::format_iso_utc(record.finished_at)},
      {"duration_ms", record.duration_ms},
      {"size_bytes", record.size_bytes},
      {"stored_bytes", record.stored_bytes},
      {"attempts", record.attempts},
      {"consecutive_failures", record.consecutive_failures},
  };
  if (!record.attempt_errors.empty()) document["attempt_errors"] = record.attempt_errors;
  if (record.recovered_after_failures) {
    document["recovered_after_failures"] = *record.recovered_after_failures;
  }
  if (record.backup_id) document["backup_id"] = *record.backup_id;
  if (record.lock_held_ms) document["lock_held_ms"] = *record.lock_held_ms;
  if (record.last_success_at) {
    document["last_success_at"] = core::format_iso_utc(*record.last_success_at);
  }
  if (record.last_restore_test_at) {
    document["last_restore_test_at"] = core::format_iso_utc(*record.last_restore_test_at);
  }
  return document;
}

Result<RunRecord> run_record_from_json(const nlohmann::json& document) {
  RunRecord record;
  try {
    record.set = document.at("set").get<std::string>();
    record.success = document.at("status").get<std::string>() == "success";
    record.error = document.value("error", "");
    if (document.contains("backup_id")) record.backup_id = document["backup_id"].get<std::string>();
    record.started_at = time_field(document, "started_at").value_or(core::Seconds{});
    record.finished_at = time_field(document, "finished_at").value_or(core::Seconds{});
    record.duration_ms = document.value("duration_ms", std::int64_t{0});
    record.size_bytes = document.value("size_bytes", std::uint64_t{0});
    record.stored_bytes = document.value("stored_bytes", std::uint64_t{0});
    if (document.contains("lock_held_ms")) {
      record.lock_held_ms = document["lock_held_ms"].get<std::int64_t>();
    }
    record.last_success_at = time_field(document, "last_success_at");
    record.last_restore_test_at = time_field(document, "last_restore_test_at");
    // Records written before retries existed have none of these: one attempt, and a failed
    // record counts as one failure in a row.
    record.attempts = document.value("attempts", 1);
    record.attempt_errors = document.value("attempt_errors", std::vector<std::string>{});
    record.consecutive_failures = document.value("consecutive_failures", record.success ? 0 : 1);
    if (document.contains("recovered_after_failures")) {
      record.recovered_after_failures = document["recovered_after_failures"].get<int>();
    }
  } catch (const nlohmann::json::exception& error) {
    return fail(std::string("malformed run record: ") + error.what());
  }
  return record;
}

Result<void> RunRecordStore::save(const RunRecord& record) const {
  return save_state_record(directory_, record.set, run_record_to_json(record));
}

Result<std::optional<RunRecord>> RunRecordStore::load(const std::string& set) const {
  TRY_ASSIGN(auto document, load_state_record(directory_, set));
  if (!document) return std::optional<RunRecord>();
  TRY_ASSIGN(auto record, run_record_from_json(*document));
  return std::optional<RunRecord>(std::move(record));
}

RunRecordStore run_record_store(const core::Config& config) {
  return RunRecordStore(config.repository.state_dir / "runs");
}

}  // namespace dbkeep::ops
