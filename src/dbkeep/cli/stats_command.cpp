#include <cstdio>

#include "dbkeep/cli/backup_view.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/retention/stats_job.hpp"

namespace dbkeep::cli {
namespace {

nlohmann::json optional_time(const std::optional<core::Seconds>& time) {
  return time ? nlohmann::json(core::format_iso_utc(*time)) : nlohmann::json(nullptr);
}

nlohmann::json stats_json(const retention::SetStats& stats) {
  auto ratio = stats.compression_ratio();
  return {{"set", stats.set},
          {"backups", stats.backups},
          {"pinned", stats.pinned},
          {"size", stats.size},
          {"stored_size", stats.stored_size},
          {"compression_ratio", ratio ? nlohmann::json(*ratio) : nlohmann::json(nullptr)},
          {"oldest", optional_time(stats.oldest)},
          {"newest", optional_time(stats.newest)},
          {"prunable_backups", stats.prunable},
          {"prunable_bytes", stats.prunable_bytes},
          {"problems", stats.problems}};
}

std::string stats_text(const retention::SetStats& stats) {
  std::string out = "set '" + stats.set + "'\n";
  auto line = [&out](const std::string& key, const std::string& value) {
    out += "  " + key + std::string(key.size() < 14 ? 14 - key.size() : 1, ' ') + value + "\n";
  };
  line("backups", std::to_string(stats.backups) + " (" + std::to_string(stats.pinned) + " pinned)");
  if (stats.backups == 0) return out;
  std::string ratio = "n/a";
  if (auto value = stats.compression_ratio()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", *value);
    ratio = buffer;
  }
  line("size", core::format_bytes(stats.size) + " read, " + core::format_bytes(stats.stored_size) +
                   " stored (compression ratio " + ratio + ")");
  line("oldest", table_time(*stats.oldest) + " UTC");
  line("newest", table_time(*stats.newest) + " UTC");
  line("prune frees", std::to_string(stats.prunable) + " backups, " +
                          core::format_bytes(stats.prunable_bytes) +
                          (stats.prunable > 0 ? " (dbkeep prune --dry-run shows which)" : ""));
  for (const auto& problem : stats.problems) line("unreadable", problem);
  return out;
}

}  // namespace

Result<int> stats_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  TRY(context.args().expect_empty("stats"));
  TRY_ASSIGN(auto sets, context.selected_sets(set));
  TRY_ASSIGN(auto* repository, context.repository());

  nlohmann::json results = nlohmann::json::array();
  for (const auto* one : sets) {
    TRY_ASSIGN(auto stats, retention::collect_stats(*repository, *one));
    for (const auto& problem : stats.problems) log::warn("unreadable backup: " + problem);
    results.push_back(stats_json(stats));
    context.print(stats_text(stats));
  }
  if (context.global().json) context.print_json({{"sets", results}});
  return 0;
}

}  // namespace dbkeep::cli
