#include <charconv>

#include "dbkeep/backup/backup_run.hpp"
#include "dbkeep/cli/command.hpp"

namespace dbkeep::cli {
namespace {

// "90m", "26h", "2d" → seconds.
Result<std::chrono::seconds> parse_age(const std::string& text) {
  long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  long factor = unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (error != std::errc() || value <= 0 || factor == 0) {
    return usage_error("--max-age '" + text + "': write a number with m, h or d, e.g. 26h");
  }
  return std::chrono::seconds(value * factor);
}

}  // namespace

// The last run of each set from its run record (what the metrics file shows), for a human or
// a monitoring check: with --max-age, exit 1 when a set's last success is older or missing.
Result<int> status_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  TRY_ASSIGN(auto max_age_text, context.args().option("--max-age"));
  TRY(context.args().expect_empty("status"));
  std::optional<std::chrono::seconds> max_age;
  if (max_age_text) {
    TRY_ASSIGN(max_age, parse_age(*max_age_text));
  }
  TRY_ASSIGN(auto sets, context.selected_sets(set));
  TRY_ASSIGN(auto* config, context.config());
  auto store = backup::run_record_store(*config);
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
      if (!record->success) line += "\n  error: " + record->error;
    }
    if (too_old) line += "\n  STALE: no success within " + *max_age_text;
    context.print(line + "\n");
    report.push_back(entry);
  }
  if (context.global().json) context.print_json({{"ok", !stale}, {"sets", report}});
  return stale ? 1 : 0;
}

}  // namespace dbkeep::cli
