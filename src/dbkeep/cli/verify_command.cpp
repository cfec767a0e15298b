#include "dbkeep/backup/backup_run.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/verify/restore_drill.hpp"
#include "dbkeep/verify/verification_record.hpp"
#include "dbkeep/verify/verify_job.hpp"

namespace dbkeep::cli {
namespace {

Result<std::vector<repo::Manifest>> select_backups(repo::Repository& repository,
                                                   const std::vector<std::string>& ids, bool latest,
                                                   const std::optional<std::string>& set) {
  if (latest && !ids.empty()) return usage_error("give either a backup ID or --latest, not both");
  if (ids.size() > 1) return usage_error("dbkeep verify takes at most one backup ID");
  if (latest) {
    TRY_ASSIGN(auto newest, repository.latest(set));
    return std::vector<repo::Manifest>{std::move(newest)};
  }
  if (!ids.empty()) {
    TRY_ASSIGN(auto one, repository.find(ids.front(), set));
    return std::vector<repo::Manifest>{std::move(one)};
  }
  TRY_ASSIGN(auto catalog, repository.list(set));
  if (!catalog.problems.empty()) {
    // A manifest we cannot read is a backup we cannot vouch for.
    std::string joined;
    for (const auto& problem : catalog.problems) joined += "\n  " + problem;
    return fail("unreadable backups in the repository:" + joined, ErrorKind::kVerification);
  }
  return std::move(catalog.backups);
}

}  // namespace

Result<int> verify_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  bool latest = context.args().flag("--latest");
  bool restore_test = context.args().flag("--restore-test");
  auto ids = context.args().positionals();
  TRY(context.args().expect_empty("verify"));
  TRY_ASSIGN(auto* config, context.config());
  TRY_ASSIGN(auto* repository, context.repository());
  TRY_ASSIGN(auto backups, select_backups(*repository, ids, latest, set));

  nlohmann::json results = nlohmann::json::array();
  std::size_t bad = 0;
  for (const auto& manifest : backups) {
    log::info("verifying " + manifest.set + "/" + manifest.id);
    const auto started_at = core::now_seconds();
    auto report =
        verify::verify_backup(repository->backend(), manifest, config->repository.temp_dir);
    if (auto recorded = verify::record_checksum_check(repository->backend(), report, started_at);
        !recorded) {
      log::warn("could not record the verification: " + recorded.error().message);
    }
    nlohmann::json result = {{"id", report.id},
                             {"set", report.set},
                             {"files_checked", report.files_checked},
                             {"bytes_checked", report.bytes_checked}};
    if (restore_test && report.ok()) {
      verify::DrillOptions drill_options{config->repository.temp_dir, config->verify.server_binary};
      if (auto found = config->find_set(manifest.set))
        drill_options.owner = (*found)->restore.owner;
      TRY_ASSIGN(auto drill, verify::run_restore_drill(*repository, manifest, drill_options));
      if (auto recorded = verify::record_drill(repository->backend(), drill); !recorded) {
        log::warn("could not record the restore test: " + recorded.error().message);
      }
      result["restore_test"] = verify::drill_to_json(drill);
      for (const auto& problem : drill.problems)
        report.problems.push_back("restore test: " + problem);
      if (drill.ok()) {
        if (auto noted = backup::note_restore_test_passed(*config, manifest.set, drill.started_at);
            !noted) {
          log::warn("could not note the restore test in the run record: " + noted.error().message);
        }
        log::info("restore test of " + manifest.set + "/" + manifest.id +
                  " passed: " + std::to_string(drill.tables_checked) + " tables, " +
                  std::to_string(drill.rows_checked) + " rows");
      }
    }
    if (!report.ok()) ++bad;
    result["ok"] = report.ok();
    result["problems"] = report.problems;
    results.push_back(std::move(result));
    std::string line = manifest.set + "/" + manifest.id + ": ";
    if (report.ok()) {
      line += "OK (" + std::to_string(report.files_checked) + " files, " +
              core::format_bytes(report.bytes_checked) + ")\n";
    } else {
      line += "BAD\n";
      for (const auto& problem : report.problems) line += "  " + problem + "\n";
    }
    context.print(line);
  }
  if (context.global().json) context.print_json({{"ok", bad == 0}, {"results", results}});
  if (bad > 0) {
    log::error(std::to_string(bad) + " of " + std::to_string(backups.size()) +
               " backups failed verification");
    return 3;
  }
  log::info("verified " + std::to_string(backups.size()) + " backups: all OK");
  return 0;
}

}  // namespace dbkeep::cli
