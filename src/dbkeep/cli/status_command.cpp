#include "dbkeep/backup/backup_run.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/duration.hpp"
#include "dbkeep/ops/archive_record.hpp"

namespace dbkeep::cli {
// The last run of each set from its run record (what the metrics file shows), for a human or
// a monitoring check: with --max-age, exit 1 when a set's last success is older or missing.
// An archived set also shows what its archive record knows (gaps, the newest archived event);
// `archive status` is the full check of the archive itself.
Result<int> status_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  TRY_ASSIGN(auto max_age_text, context.args().option("--max-age"));
  TRY(context.args().expect_empty("status"));
  std::optional<std::chrono::seconds> max_age;
  if (max_age_text) {
    TRY_ASSIGN(max_age, core::parse_span(*max_age_text, "--max-age '" + *max_age_text + "'"));
  }
  TRY_ASSIGN(auto sets, context.selected_sets(set));
  TRY_ASSIGN(auto* config, context.config());
  auto store = ops::run_record_store(*config);
  auto archives = ops::ArchiveRecordStore::for_config(*config);
  auto now = core::now_seconds();
  nlohmann::json report = nlohmann::json::array();
  bool stale = false;
  for (const auto* one : sets) {
    TRY_ASSIGN(auto record, store.load(one->name));
    nlohmann::json entry = record ? ops::run_record_to_json(*record)
                                  : nlohmann::json{{"set", one->name}, {"status", "never run"}};
    bool too_old = max_age && (!record || !record->last_success_at ||
                               now - *record->last_success_at > *max_age);
    entry["stale"] = too_old;
    stale = stale || too_old;
    std::string line = one->name + ": ";
    if (!record) {
      line += "never run";
    } else {
      line += "last run " + record->status() + " at " + core::format_iso_utc(record->finished_at) +
              " (" + core::format_duration(std::chrono::milliseconds(record->duration_ms)) + ")";
      line += record->last_success_at
                  ? ", last success " + core::format_iso_utc(*record->last_success_at)
                  : ", never succeeded";
      if (record->success) line += ", " + core::format_bytes(record->stored_bytes) + " stored";
      if (record->attempts > 1) line += ", " + std::to_string(record->attempts) + " attempts";
      if (record->consecutive_failures > 1) {
        line += ", " + std::to_string(record->consecutive_failures) + " failed runs in a row";
      }
      if (!record->success) line += "\n  error: " + record->error;
    }
    if (too_old) line += "\n  STALE: no success within " + *max_age_text;
    if (one->archive.enabled) {
      TRY_ASSIGN(auto archive, archives.load(one->name));
      if (archive) {
        entry["archive"] = ops::archive_record_to_json(*archive);
        line += "\n  archive: ";
        line += archive->last_event_at
                    ? "last event " + core::format_iso_utc(*archive->last_event_at) + " at " +
                          archive->position
                    : "nothing archived yet";
        if (!archive->gaps.empty()) line += ", " + std::to_string(archive->gaps.size()) + " GAP(S)";
        for (const auto& gap : archive->gaps) line += "\n  gap: " + gap.description;
      }
    }
    context.print(line + "\n");
    report.push_back(entry);
  }
  if (context.global().json) context.print_json({{"ok", !stale}, {"sets", report}});
  return stale ? 1 : 0;
}

}  // namespace dbkeep::cli
