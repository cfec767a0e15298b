#include <algorithm>

#include "dbkeep/cli/backup_view.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/retention/prune_job.hpp"

namespace dbkeep::cli {
namespace {

std::string reasons_text(const retention::PruneEntry& entry) {
  if (entry.reasons.empty()) return "no rule keeps it";
  std::string text;
  for (const auto& reason : entry.reasons) text += (text.empty() ? "" : ", ") + reason;
  return text;
}

// `text` followed by spaces up to `width`, and two more to separate columns.
std::string column(const std::string& text, std::size_t width) {
  return text + std::string(width > text.size() ? width - text.size() + 2 : 2, ' ');
}

// "set 'app': keep 3, delete 2 (1.2 MiB)" and one aligned line per backup.
std::string report_text(const retention::PruneReport& report) {
  std::string out = "set '" + report.set + "': keep " + std::to_string(report.kept()) +
                    ", delete " + std::to_string(report.to_delete()) + " (" +
                    core::format_bytes(report.bytes_to_free()) + ")" +
                    (report.dry_run ? " - dry run, nothing deleted" : "") + "\n";
  std::size_t id_width = 0;
  for (const auto& entry : report.entries) id_width = std::max(id_width, entry.id.size());
  for (const auto& entry : report.entries) {
    out += "  " + column(entry.keep ? "KEEP" : "DELETE", 6) + column(entry.id, id_width) +
           column(entry.started_at ? table_time(*entry.started_at) : "(incomplete)", 19) +
           column(core::format_bytes(entry.stored_size), 10) + reasons_text(entry) + "\n";
  }
  for (const auto& problem : report.problems) out += "  SKIP    unreadable: " + problem + "\n";
  return out;
}

nlohmann::json report_json(const retention::PruneReport& report) {
  nlohmann::json backups = nlohmann::json::array();
  for (const auto& entry : report.entries) {
    backups.push_back(
        {{"id", entry.id},
         {"started_at", entry.started_at ? nlohmann::json(core::format_iso_utc(*entry.started_at))
                                         : nlohmann::json(nullptr)},
         {"complete", entry.complete},
         {"size", entry.size},
         {"stored_size", entry.stored_size},
         {"action", entry.keep ? "keep" : "delete"},
         {"reasons", entry.reasons},
         {"deleted", entry.deleted}});
  }
  return {{"set", report.set},
          {"status", "ok"},
          {"dry_run", report.dry_run},
          {"kept", report.kept()},
          {"deleted", report.to_delete()},
          {"bytes_freed", report.bytes_to_free()},
          {"backups", backups},
          {"problems", report.problems}};
}

}  // namespace

// Prunes the selected sets one after another, like backup: a failing set does not stop the
// others; the exit code is that of the first failure (a lock conflict exits 4).
Result<int> prune_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  const retention::PruneOptions options{.dry_run = context.args().flag("--dry-run")};
  TRY(context.args().expect_empty("prune"));
  TRY_ASSIGN(auto sets, context.selected_sets(set));
  TRY_ASSIGN(auto* config, context.config());
  TRY_ASSIGN(auto* repository, context.repository());

  nlohmann::json results = nlohmann::json::array();
  std::optional<Error> first_failure;
  for (const auto* one : sets) {
    auto report = retention::run_prune(*config, *one, *repository, options);
    if (report) {
      results.push_back(report_json(*report));
      context.print(report_text(*report));
      continue;
    }
    Error error = report.error().with_context("prune of set '" + one->name + "' failed");
    if (sets.size() > 1) log::error(error.message);
    results.push_back({{"set", one->name}, {"status", "failed"}, {"error", error.message}});
    if (!first_failure) first_failure = error;
  }
  if (context.global().json) {
    context.print_json({{"ok", !first_failure}, {"dry_run", options.dry_run}, {"sets", results}});
    if (first_failure) return exit_code(first_failure->kind);
  }
  if (first_failure) {
    if (sets.size() > 1) return exit_code(first_failure->kind);  // each already logged
    return std::unexpected(*first_failure);
  }
  return 0;
}

}  // namespace dbkeep::cli
