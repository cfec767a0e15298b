#include "dbkeep/verify/restore_drill.hpp"

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/temp_dir.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/restore/scratch_claim.hpp"
#include "dbkeep/source/sqlite/sqlite_database.hpp"
#include "dbkeep/verify/mysql_drill.hpp"
#include "dbkeep/verify/verification_record.hpp"

namespace dbkeep::verify {
namespace {

std::string drills_prefix(const std::string& set, const std::string& id) {
  return repo::Repository::backup_prefix(set, id) + "drills/";
}

// Restores the SQLite database into `scratch` and checks it against the manifest.
Result<void> drill_sqlite(storage::Backend& backend, const repo::Manifest& manifest,
                          const std::filesystem::path& scratch, DrillReport& report) {
  using source::sqlite::SqliteDatabase;
  for (const auto& file : manifest.files) {
    TRY(core::check_cancellation());
    auto copy = scratch / "restored.db";
    if (auto fetched = pipeline::fetch_to_file(backend, file.stored, copy); !fetched) {
      report.problems.push_back(fetched.error().message);
      continue;
    }
    TRY_ASSIGN(auto database, SqliteDatabase::open(copy, SqliteDatabase::Mode::kReadOnly));
    auto integrity = database.integrity_check();
    if (!integrity || *integrity != "ok") {
      report.problems.push_back(file.stored.path + ": PRAGMA integrity_check: " +
                                (integrity ? *integrity : integrity.error().message));
    }
    auto counts = database.count_rows();
    if (!counts) {
      report.problems.push_back(file.stored.path +
                                ": cannot count rows: " + counts.error().message);
      continue;
    }
    const auto& recorded = manifest.facts.value("tables", nlohmann::json::object());
    for (const auto& [table, rows] : *counts) {
      ++report.tables_checked;
      report.rows_checked += rows;
      if (!recorded.contains(table)) {
        report.problems.push_back("table " + table + ": not recorded in the manifest");
      } else if (recorded[table].get<std::uint64_t>() != rows) {
        report.problems.push_back(
            "table " + table + ": " + std::to_string(rows) + " rows after restore, " +
            std::to_string(recorded[table].get<std::uint64_t>()) + " recorded at backup time");
      }
    }
    for (const auto& [table, rows] : recorded.items()) {
      if (!counts->contains(table)) report.problems.push_back("table " + table + ": missing");
    }
    std::filesystem::remove(copy);
  }
  return {};
}

}  // namespace

Result<DrillReport> run_restore_drill(repo::Repository& repository, const repo::Manifest& manifest,
                                      const DrillOptions& options) {
  DrillReport report{manifest.set, manifest.id, core::now_seconds()};
  auto started = std::chrono::steady_clock::now();
  log::info("restore test of " + manifest.set + "/" + manifest.id + " in a scratch directory");
  {
    // The scratch directory goes away on every path out, including cancellation (SIGTERM).
    restore::reclaim_abandoned_scratch(options.temp_dir, "dbkeep-drill-");
    TRY_ASSIGN(auto scratch, restore::ClaimedScratch::create(options.temp_dir, "dbkeep-drill-"));
    if (manifest.source == core::SourceKind::kSqlite) {
      TRY(drill_sqlite(repository.backend(), manifest, scratch.path(), report));
    } else {
      TRY(drill_mysql(repository, manifest, options, scratch.path(), report));
    }
  }
  report.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  return report;
}

nlohmann::json drill_to_json(const DrillReport& report) {
  nlohmann::json document = {{"set", report.set},
                             {"id", report.id},
                             {"started_at", core::format_iso_utc(report.started_at)},
                             {"duration_ms", report.duration_ms},
                             {"ok", report.ok()},
                             {"tables_checked", report.tables_checked},
                             {"rows_checked", report.rows_checked},
                             {"problems", report.problems}};
  if (!report.rolled_forward.empty()) document["rolled_forward"] = report.rolled_forward;
  return document;
}

Result<void> record_drill(storage::Backend& backend, const DrillReport& report) {
  std::string key =
      drills_prefix(report.set, report.id) + core::format_compact_utc(report.started_at) + ".json";
  return storage::write_all(backend, key, drill_to_json(report).dump(2) + "\n");
}

Result<std::optional<nlohmann::json>> last_drill(storage::Backend& backend, const std::string& set,
                                                 const std::string& id) {
  // A damaged drill record reads as "no drill": it only decorates `list` and `show`.
  return newest_record(backend, drills_prefix(set, id));
}

}  // namespace dbkeep::verify
