// dbkeep archive run|status: continuous archiving of the binary log (docs/pitr.md).

#include "dbkeep/archive/archive_reporter.hpp"
#include "dbkeep/archive/archive_status.hpp"
#include "dbkeep/cli/archiver_threads.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/source/mysql/connection_options.hpp"

namespace dbkeep::cli {
namespace {

Result<std::vector<const core::SetConfig*>> archived_sets(CommandContext& context,
                                                          const std::optional<std::string>& name) {
  TRY_ASSIGN(auto sets, context.selected_sets(name));
  std::vector<const core::SetConfig*> archived;
  for (const auto* set : sets) {
    if (set->archive.enabled) {
      archived.push_back(set);
    } else if (name) {
      return usage_error("set '" + set->name + "' has no [set.archive] with enabled = true");
    }
  }
  if (archived.empty()) {
    return usage_error("no set has [set.archive] enabled = true; see docs/pitr.md");
  }
  return archived;
}

std::string time_text(std::int64_t seconds) {
  return core::format_iso_utc(core::Seconds(std::chrono::seconds(seconds)));
}

Result<int> archive_run(CommandContext& context, const std::optional<std::string>& name) {
  TRY_ASSIGN(const auto* config, context.config());
  TRY_ASSIGN(auto sets, archived_sets(context, name));
  context.allow_key_creation();  // like a first backup: a new encrypted repository gets its key
  TRY_ASSIGN(auto* repository, context.repository());
  // One archiver per set, each holding its own lock: a second `archive run` of the same set is
  // refused (exit 4), backups of the set are not affected.
  TRY_ASSIGN(auto archivers, ArchiverThreads::start(*config, repository->backend(), sets, false));
  TRY(archivers->join());
  return 0;
}

// Where the server's binary log is now; the reason when it cannot be asked.
std::pair<std::optional<archive::ServerPosition>, std::string> server_position(
    const core::SetConfig& set) {
  auto connection =
      source::mysql::Connection::connect(source::mysql::connection_options(*set.mysql));
  if (!connection) return {std::nullopt, connection.error().message};
  auto status = connection->query("SHOW MASTER STATUS");
  if (!status) return {std::nullopt, status.error().message};
  if (status->rows.empty()) return {std::nullopt, "binary logging is off on the server"};
  auto file = status->value(0, "File");
  auto position = status->value(0, "Position");
  if (!file || !position) return {std::nullopt, "SHOW MASTER STATUS returned no position"};
  return {archive::ServerPosition{{*file, std::stoull(*position)}}, ""};
}

nlohmann::json report_json(const archive::ArchiveReport& report) {
  const auto& catalog = report.catalog;
  nlohmann::json windows = nlohmann::json::array();
  for (const auto& window : catalog.windows) {
    const auto& first = catalog.entries[window.first];
    const auto& last = catalog.entries[window.last];
    std::uint64_t stored = 0;
    for (auto i = window.first; i <= window.last; ++i)
      stored += catalog.entries[i].stored.stored_size;
    windows.push_back({{"from_time", time_text(first.first_event_time)},
                       {"to_time", time_text(last.last_event_time)},
                       {"from", first.follows.text()},
                       {"to", last.end.text()},
                       {"segments", window.last - window.first + 1},
                       {"stored_bytes", stored},
                       {"last_gtid", last.last_gtid}});
  }
  nlohmann::json gaps = nlohmann::json::array();
  for (const auto& gap : catalog.gaps) {
    gaps.push_back({{"after", catalog.entries[gap.before].end.text()},
                    {"after_time", time_text(catalog.entries[gap.before].last_event_time)},
                    {"reason", gap.reason}});
  }
  nlohmann::json ranges = nlohmann::json::array();
  for (const auto& range : report.ranges) {
    ranges.push_back({{"from_time", time_text(range.from)},
                      {"to_time", time_text(range.to)},
                      {"oldest_base", range.oldest_base}});
  }
  nlohmann::json bases = nlohmann::json::array();
  for (const auto& base : report.bases) {
    bases.push_back({{"id", base.id},
                     {"position", base.position ? base.position->text() : ""},
                     {"in_archive", base.window.has_value()}});
  }
  nlohmann::json document = {
      {"set", report.set},     {"ok", report.healthy()}, {"windows", windows},     {"gaps", gaps},
      {"recoverable", ranges}, {"bases", bases},         {"alerts", report.alerts}};
  if (!catalog.empty()) {
    document["last_event_time"] = time_text(catalog.last().last_event_time);
    document["last_position"] = catalog.last().end.text();
  }
  if (report.lag_seconds) document["lag_seconds"] = *report.lag_seconds;
  if (report.server) document["server_position"] = report.server->point.text();
  if (!report.server_problem.empty()) document["server_problem"] = report.server_problem;
  return document;
}

std::string report_text(const archive::ArchiveReport& report) {
  const auto& catalog = report.catalog;
  std::string text = "set " + report.set + ": " + (report.healthy() ? "ok" : "NOT OK") + "\n";
  for (const auto& range : report.ranges) {
    text += "  recoverable " + time_text(range.from) + " .. " + time_text(range.to) +
            " (from backup " + range.oldest_base + ")\n";
  }
  for (std::size_t w = 0; w < catalog.windows.size(); ++w) {
    const auto& window = catalog.windows[w];
    text += "  archived    " + time_text(catalog.entries[window.first].first_event_time) + " .. " +
            time_text(catalog.entries[window.last].last_event_time) + "  " +
            catalog.entries[window.first].follows.text() + " .. " +
            catalog.entries[window.last].end.text() + ", " +
            std::to_string(window.last - window.first + 1) + " segments\n";
  }
  for (const auto& gap : catalog.gaps) {
    text += "  GAP after " + catalog.entries[gap.before].end.text() + " (" +
            time_text(catalog.entries[gap.before].last_event_time) + "): " + gap.reason + "\n";
  }
  if (report.lag_seconds) text += "  lag " + std::to_string(*report.lag_seconds) + " s\n";
  if (!report.server_problem.empty()) text += "  server: " + report.server_problem + "\n";
  for (const auto& alert : report.alerts) text += "  ! " + alert + "\n";
  return text;
}

Result<int> archive_status(CommandContext& context, const std::optional<std::string>& name) {
  TRY_ASSIGN(auto sets, archived_sets(context, name));
  TRY_ASSIGN(const auto* config, context.config());
  TRY_ASSIGN(auto* repository, context.repository());
  TRY_ASSIGN(auto backups, repository->list());
  bool healthy = true;
  nlohmann::json documents = nlohmann::json::array();
  for (const auto* set : sets) {
    TRY_ASSIGN(auto catalog, archive::load_archive(repository->backend(), set->name));
    // Segments the last `verify --archive` found damaged are gaps until a verify passes.
    archive::exclude_failed_segments(
        catalog,
        ops::ArchiveRecordStore::for_config(*config).load_or_new(set->name).failed_segments());
    std::vector<repo::Manifest> bases;
    for (const auto& manifest : backups.backups) {
      if (manifest.set == set->name) bases.push_back(manifest);
    }
    auto [server, problem] = server_position(*set);
    auto report = archive::build_archive_report(
        set->name, std::move(catalog), bases, server, problem,
        core::now_seconds().time_since_epoch().count(), set->archive.max_lag.count());
    healthy = healthy && report.healthy();
    archive::ArchiveReporter(*config, set->name, ops::make_notifiers(config->notify))
        .checked(report);
    documents.push_back(report_json(report));
    context.print(report_text(report));
  }
  if (context.global().json) context.print_json({{"sets", documents}, {"ok", healthy}});
  return healthy ? 0 : 3;
}

}  // namespace

Result<int> archive_command(CommandContext& context) {
  auto& args = context.args();
  TRY_ASSIGN(auto set, args.option("--set"));
  auto words = args.positionals();
  TRY(args.expect_empty("archive"));
  if (words.size() != 1 || (words[0] != "run" && words[0] != "status")) {
    return usage_error("usage: dbkeep archive run|status [--set NAME]");
  }
  if (words[0] == "run") return archive_run(context, set);
  return archive_status(context, set);
}

}  // namespace dbkeep::cli
