#include "dbkeep/ops/metrics.hpp"

#include <functional>
#include <optional>

#include "dbkeep/ops/atomic_file.hpp"

namespace dbkeep::ops {
namespace {

// Label values escape backslash, quote and newline (Prometheus exposition format).
std::string label(const std::string& set) {
  std::string escaped;
  for (char c : set) {
    if (c == '\\' || c == '"') escaped += '\\';
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += c;
  }
  return "{set=\"" + escaped + "\"}";
}

template <typename Record>
struct Family {
  const char* name;
  const char* help;
  std::function<std::optional<double>(const Record&)> value;
};

double seconds_since_epoch(core::Seconds time) {
  return static_cast<double>(time.time_since_epoch().count());
}

std::string format_number(double value) {
  std::string text = std::to_string(value);
  // to_string gives six decimals; whole numbers read better without them.
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

template <typename Record>
void render_families(std::string& text, const std::vector<Family<Record>>& families,
                     const std::vector<Record>& records) {
  for (const auto& family : families) {
    std::string samples;
    for (const auto& record : records) {
      if (auto value = family.value(record)) {
        samples +=
            std::string(family.name) + label(record.set) + " " + format_number(*value) + "\n";
      }
    }
    if (samples.empty()) continue;
    text += std::string("# HELP ") + family.name + " " + family.help + "\n";
    text += std::string("# TYPE ") + family.name + " gauge\n";
    text += samples;
  }
}

std::optional<double> time_value(const std::optional<core::Seconds>& time) {
  if (!time) return std::nullopt;
  return seconds_since_epoch(*time);
}

}  // namespace

std::string render_metrics(const std::vector<RunRecord>& records,
                           const std::vector<ArchiveRecord>& archives) {
  const std::vector<Family<RunRecord>> families = {
      {"dbkeep_last_success_timestamp_seconds", "Unix time the last successful backup finished.",
       [](const RunRecord& r) -> std::optional<double> {
         if (!r.last_success_at) return std::nullopt;
         return seconds_since_epoch(*r.last_success_at);
       }},
      {"dbkeep_last_run_timestamp_seconds", "Unix time the last backup run finished.",
       [](const RunRecord& r) { return seconds_since_epoch(r.finished_at); }},
      {"dbkeep_last_run_success", "1 if the last backup run succeeded, else 0.",
       [](const RunRecord& r) { return r.success ? 1.0 : 0.0; }},
      {"dbkeep_consecutive_failures", "Backup runs in a row that failed; 0 after a success.",
       [](const RunRecord& r) { return static_cast<double>(r.consecutive_failures); }},
      {"dbkeep_last_run_attempts", "Attempts the last backup run took ([set] retries).",
       [](const RunRecord& r) { return static_cast<double>(r.attempts); }},
      {"dbkeep_last_run_duration_seconds", "Duration of the last backup run.",
       [](const RunRecord& r) { return static_cast<double>(r.duration_ms) / 1000.0; }},
      {"dbkeep_last_backup_size_bytes", "Bytes read from the source by the last successful run.",
       [](const RunRecord& r) -> std::optional<double> {
         if (!r.success) return std::nullopt;
         return static_cast<double>(r.size_bytes);
       }},
      {"dbkeep_last_backup_stored_bytes",
       "Bytes stored in the repository by the last successful run.",
       [](const RunRecord& r) -> std::optional<double> {
         if (!r.success) return std::nullopt;
         return static_cast<double>(r.stored_bytes);
       }},
      {"dbkeep_last_restore_test_success_timestamp_seconds",
       "Unix time a restore test (verify --restore-test) of the set last passed.",
       [](const RunRecord& r) -> std::optional<double> {
         if (!r.last_restore_test_at) return std::nullopt;
         return seconds_since_epoch(*r.last_restore_test_at);
       }},
      {"dbkeep_last_lock_held_seconds", "How long the last run held the database's global lock.",
       [](const RunRecord& r) -> std::optional<double> {
         if (!r.lock_held_ms) return std::nullopt;
         return static_cast<double>(*r.lock_held_ms) / 1000.0;
       }},
  };
  const std::vector<Family<ArchiveRecord>> archive_families = {
      {"dbkeep_archive_last_event_timestamp_seconds",
       "Unix time of the newest binlog event in the set's archive.",
       [](const ArchiveRecord& r) { return time_value(r.last_event_at); }},
      {"dbkeep_archive_last_segment_timestamp_seconds",
       "Unix time the archiver last stored a segment.",
       [](const ArchiveRecord& r) { return time_value(r.last_segment_at); }},
      {"dbkeep_archive_gaps", "Gaps known in the set's archive: restores cannot cross them.",
       [](const ArchiveRecord& r) { return static_cast<double>(r.gaps.size()); }},
      {"dbkeep_archive_healthy",
       "1 if the archive has no known gap and its last check raised no alert, else 0.",
       [](const ArchiveRecord& r) { return r.healthy() ? 1.0 : 0.0; }},
      {"dbkeep_archive_lag_seconds",
       "How far the archive was behind the server at its last check (archive status).",
       [](const ArchiveRecord& r) -> std::optional<double> {
         if (!r.lag_seconds) return std::nullopt;
         return static_cast<double>(*r.lag_seconds);
       }},
  };
  std::string text;
  render_families(text, families, records);
  render_families(text, archive_families, archives);
  return text;
}

Result<void> write_metrics(const std::filesystem::path& file, const std::vector<RunRecord>& records,
                           const std::vector<ArchiveRecord>& archives) {
  return write_file_atomically(file, render_metrics(records, archives), 0644);
}

Result<void> refresh_metrics(const core::Config& config) {
  if (!config.metrics.file) return {};
  auto runs = run_record_store(config);
  auto archive_store = ArchiveRecordStore::for_config(config);
  std::vector<RunRecord> records;
  std::vector<ArchiveRecord> archives;
  for (const auto& set : config.sets) {
    TRY_ASSIGN(auto record, runs.load(set.name));
    if (record) records.push_back(std::move(*record));
    if (!set.archive.enabled) continue;
    TRY_ASSIGN(auto archive, archive_store.load(set.name));
    if (archive) archives.push_back(std::move(*archive));
  }
  return write_metrics(*config.metrics.file, records, archives);
}

}  // namespace dbkeep::ops
