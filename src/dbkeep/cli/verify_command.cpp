#include "dbkeep/archive/archive_reporter.hpp"
#include "dbkeep/archive/archive_verify.hpp"
#include "dbkeep/backup/backup_run.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/restore_point_in_time.hpp"
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
  bool archive_only = context.args().flag("--archive");
  TRY_ASSIGN(auto target, replay_target_from_flags(context.args()));
  auto ids = context.args().positionals();
  TRY(context.args().expect_empty("verify"));
  if (target && !restore_test) {
    return usage_error("--to-time, --to-gtid and --to-latest go with --restore-test");
  }
  if (target && (latest || ids.size() > 1)) {
    return usage_error(
        "a point-in-time restore test takes one backup ID, or --set NAME to let dbkeep choose "
        "the base");
  }
  if (archive_only && (target || restore_test || latest || !ids.empty())) {
    return usage_error("--archive verifies the archived binary log only; give it no backup");
  }
  TRY_ASSIGN(auto* config, context.config());
  TRY_ASSIGN(auto* repository, context.repository());

  // A point-in-time drill: the base and the replay are prepared (segments fetched and
  // checked) before the scratch server starts.
  std::optional<PointInTimePlan> point_in_time;
  std::optional<PreparedReplay> prepared;
  std::vector<repo::Manifest> backups;
  if (target) {
    std::optional<std::string> id;
    if (!ids.empty()) id = ids.front();
    TRY_ASSIGN(point_in_time, plan_point_in_time(context, id, set, *target));
    TRY_ASSIGN(prepared, prepare_roll_forward(context, *point_in_time));
    backups.push_back(point_in_time->base);
  } else if (!archive_only) {
    TRY_ASSIGN(backups, select_backups(*repository, ids, latest, set));
  }

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
      if (prepared) {
        drill_options.roll_forward =
            [&](const source::mysql::ConnectionOptions& server) -> Result<std::string> {
          archive::ApplyOptions apply;
          apply.load_grant_tables_first = true;
          TRY(apply_roll_forward(*prepared, server, apply));
          return point_in_time->target.describe() + ": " + describe_replayed(prepared->range);
        };
      }
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
  // The archive of each selected set, on a full verify (no backup named) or --archive.
  nlohmann::json archives = nlohmann::json::array();
  std::size_t bad_archives = 0;
  if (archive_only || (ids.empty() && !latest && !target)) {
    std::vector<const core::SetConfig*> sets;
    for (const auto& configured : config->sets) {
      if (!set || configured.name == *set) sets.push_back(&configured);
    }
    for (const auto* one : sets) {
      TRY_ASSIGN(auto catalog, archive::load_archive(repository->backend(), one->name));
      if (catalog.empty() && catalog.problems.empty()) continue;
      log::info("verifying the archive of set '" + one->name + "'");
      auto report = archive::verify_archive(repository->backend(), catalog, one->name);
      if (!report.ok()) ++bad_archives;
      archive::ArchiveReporter(*config, one->name, ops::make_notifiers(config->notify))
          .verified(catalog, report);
      archives.push_back({{"set", one->name},
                          {"ok", report.ok()},
                          {"segments_checked", report.segments_checked},
                          {"bytes_checked", report.bytes_checked},
                          {"problems", report.problems}});
      std::string line = one->name + " archive: ";
      if (report.ok()) {
        line += "OK (" + std::to_string(report.segments_checked) + " segments, " +
                core::format_bytes(report.bytes_checked) + ")\n";
      } else {
        line += "BAD\n";
        for (const auto& problem : report.problems) line += "  " + problem + "\n";
      }
      context.print(line);
    }
  }
  if (context.global().json) {
    context.print_json(
        {{"ok", bad == 0 && bad_archives == 0}, {"results", results}, {"archives", archives}});
  }
  if (bad > 0 || bad_archives > 0) {
    log::error(std::to_string(bad) + " of " + std::to_string(backups.size()) + " backups and " +
               std::to_string(bad_archives) + " of " + std::to_string(archives.size()) +
               " archives failed verification");
    return 3;
  }
  log::info("verified " + std::to_string(backups.size()) + " backups" +
            (archives.empty() ? "" : " and " + std::to_string(archives.size()) + " archives") +
            ": all OK");
  return 0;
}

}  // namespace dbkeep::cli
