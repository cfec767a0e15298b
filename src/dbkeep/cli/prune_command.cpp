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

// The archive in two lines at most: deleted segments are always the oldest ones, so one range
// each for what goes and what stays.
std::string segments_text(const retention::PruneReport& report) {
  const auto& segments = report.segments;
  if (segments.empty()) return "";
  std::size_t deleted = 0;
  std::uint64_t bytes = 0;
  for (const auto& segment : segments) {
    if (segment.keep) continue;
    ++deleted;
    bytes += segment.stored_size;
  }
  auto range = [&](std::size_t from, std::size_t to) {
    return std::to_string(to - from) + " archived segments " +
           core::format_iso_utc(
               core::Seconds(std::chrono::seconds(segments[from].first_event_time))) +
           " .. " +
           core::format_iso_utc(
               core::Seconds(std::chrono::seconds(segments[to - 1].last_event_time)));
  };
  std::string out;
  if (deleted > 0) {
    out += "  DELETE " + range(0, deleted) + " (" + core::format_bytes(bytes) +
           "): " + segments.front().reason + "\n";
  }
  if (deleted < segments.size()) {
    out += "  KEEP   " + range(deleted, segments.size()) + ": " + segments[deleted].reason + "\n";
  }
  return out;
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
  out += segments_text(report);
  return out;
}

nlohmann::json segments_json(const retention::PruneReport& report) {
  nlohmann::json segments = nlohmann::json::array();
  std::size_t deleted = 0;
  std::uint64_t bytes = 0;
  for (const auto& segment : report.segments) {
    if (!segment.keep) {
      ++deleted;
      bytes += segment.stored_size;
    }
    segments.push_back(
        {{"id", segment.id},
         {"first_event_time",
          core::format_iso_utc(core::Seconds(std::chrono::seconds(segment.first_event_time)))},
         {"last_event_time",
          core::format_iso_utc(core::Seconds(std::chrono::seconds(segment.last_event_time)))},
         {"stored_size", segment.stored_size},
         {"action", segment.keep ? "keep" : "delete"},
         {"reason", segment.reason},
         {"deleted", segment.deleted}});
  }
  return {{"kept", report.segments.size() - deleted},
          {"deleted", deleted},
          {"bytes_freed", bytes},
          {"segments", segments}};
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
          {"archive", segments_json(report)},
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
