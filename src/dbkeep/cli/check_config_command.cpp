#include <unistd.h>

#include "dbkeep/archive/archive_preflight.hpp"
#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/executable_path.hpp"
#include "dbkeep/crypto/encryption_check.hpp"
#include "dbkeep/ops/cron_expression.hpp"
#include "dbkeep/ops/hooks.hpp"
#include "dbkeep/source/mysql/connection_options.hpp"
#include "dbkeep/source/mysql/datadir_mapping.hpp"
#include "dbkeep/source/mysql/logical/logical_source.hpp"
#include "dbkeep/source/mysql/physical_tool.hpp"
#include "dbkeep/source/mysql/privileges.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"
#include "dbkeep/source/snapshot/mount_point.hpp"
#include "dbkeep/source/snapshot/snapshot_provider.hpp"
#include "dbkeep/source/sqlite/sqlite_database.hpp"
#include "dbkeep/storage/access_probe.hpp"
#include "dbkeep/storage/open_backend.hpp"

namespace dbkeep::cli {
namespace {

struct Check {
  std::string what;
  std::string problem;    // empty when fine
  std::string note = {};  // said when fine, e.g. an optional privilege the user lacks
};

// What the backup user lacks for the set's method, with the GRANT statement that adds it
// (source/mysql/privileges.hpp). An optional privilege is a note; a required one a failure.
Check privilege_check(const std::string& what, source::mysql::Connection& connection,
                      const core::SetConfig& set) {
  Check check{what + ": backup user's privileges", ""};
  auto version = source::mysql::probe_version(connection);
  if (!version) return {check.what, version.error().message};
  const source::mysql::MethodPrivilegeOptions options{
      .method = set.method,
      .global_lock = !set.logical || set.logical->lock != core::LockMode::kNone,
      .kills_long_queries = set.mysql->long_query_action == core::LongQueryAction::kKill,
      .archives_binlog = set.archive.enabled};
  auto report = source::mysql::check_privileges(connection, *version,
                                                source::mysql::privileges_needed(options));
  if (!report) return {check.what, report.error().message};
  if (!report->missing_required.empty()) {
    check.problem =
        "missing " + describe_privileges(report->missing_required, *version) +
        "; run: " + grant_statement(report->missing_required, *version, report->grantee);
  }
  if (!report->missing_optional.empty()) {
    check.note =
        "without " + describe_privileges(report->missing_optional, *version) +
        "; to add: " + grant_statement(report->missing_optional, *version, report->grantee);
  }
  return check;
}

// The snapshot and physical methods read the datadir's files: they must be the server's, at
// [set.mysql] datadir when the server reports a path this host does not see (a container).
Check datadir_check(const std::string& what, source::mysql::Connection& connection,
                    const core::MysqlConfig& mysql) {
  std::string label = what + ": datadir " + (mysql.datadir ? mysql.datadir->string() + " " : "") +
                      "holds the server's files";
  auto facts = source::mysql::probe_server_files(connection, mysql.datadir);
  if (!facts) return {label, facts.error().message};
  Check check{label, ""};
  if (facts->server_datadir != facts->datadir) {
    check.note = "the server sees it as " + facts->server_datadir.string();
  }
  return check;
}

// A directory we may write to, or — when missing — one whose nearest existing parent we may
// write to (dbkeep creates it on first use). Nothing is created here.
std::string writable_directory_problem(const std::filesystem::path& directory) {
  std::filesystem::path probe = directory;
  while (!probe.empty() && !std::filesystem::exists(probe)) probe = probe.parent_path();
  if (probe.empty()) probe = ".";
  if (!std::filesystem::is_directory(probe)) return probe.string() + " is not a directory";
  if (::access(probe.c_str(), W_OK | X_OK) != 0) return probe.string() + " is not writable";
  return "";
}

std::string writable_file_problem(const std::filesystem::path& file) {
  if (std::filesystem::exists(file)) {
    return ::access(file.c_str(), W_OK) == 0 ? "" : file.string() + " is not writable";
  }
  return writable_directory_problem(file.parent_path());
}

std::string sqlite_problem(const core::SqliteConfig& sqlite) {
  using source::sqlite::SqliteDatabase;
  if (!std::filesystem::exists(sqlite.path)) return sqlite.path.string() + " does not exist";
  auto database = SqliteDatabase::open(sqlite.path, SqliteDatabase::Mode::kReadOnly, 2000);
  if (!database) return database.error().message;
  auto version = database->query_text("PRAGMA schema_version");
  if (!version) return sqlite.path.string() + " is not a readable SQLite database";
  return "";
}

// The program the snapshot provider drives (the full sequence is checked by the backup itself,
// which also refuses a repository on the snapshotted volume).
Check snapshot_tool_check(const std::string& what, const core::SnapshotConfig& snapshot) {
  const auto tool = source::snapshot::provider_tool(snapshot.provider);
  const std::string program(tool.program);
  return {what + ": " + program + " installed (" + std::string(core::to_string(snapshot.provider)) +
              " snapshots)",
          core::find_executable(program)
              ? ""
              : program + " is not in PATH; install the " + std::string(tool.package) + " package"};
}

// The mount point exists, or the backup will create it before the lock (source/snapshot).
Check mount_point_check(const std::string& what, const core::SnapshotConfig& snapshot) {
  const std::string& path = snapshot.mount_point.string();
  std::error_code error;
  const bool exists = std::filesystem::exists(snapshot.mount_point, error);
  return {what + ": mount point " + path +
              (exists ? " exists" : " does not exist; it will be created (mode 0700)"),
          source::snapshot::mount_point_problem(snapshot.mount_point)};
}

}  // namespace

Result<int> check_config_command(CommandContext& context) {
  TRY(context.args().expect_empty("check-config"));
  TRY_ASSIGN(auto* config, context.config());

  std::vector<Check> checks;
  auto backend = storage::open_backend(config->repository);
  if (config->repository.s3) {
    // An S3 repository: try the operations backups need, naming the missing permission.
    if (!backend) {
      checks.push_back({"repository " + config->repository.url, backend.error().message});
    } else {
      for (auto& step : storage::probe_access(**backend)) {
        checks.push_back({std::move(step.what), std::move(step.problem)});
      }
    }
  } else {
    checks.push_back({"repository " + config->repository.path.string() + " writable",
                      writable_directory_problem(config->repository.path)});
  }
  if (backend) {
    for (auto& step : crypto::check_encryption(config->repository, **backend)) {
      checks.push_back({std::move(step.what), std::move(step.problem)});
    }
  }
  checks.push_back({"state directory " + config->repository.state_dir.string() + " writable",
                    writable_directory_problem(config->repository.state_dir)});
  checks.push_back({"temp directory " + config->repository.temp_dir.string() + " writable",
                    std::filesystem::is_directory(config->repository.temp_dir)
                        ? writable_directory_problem(config->repository.temp_dir)
                        : config->repository.temp_dir.string() + " does not exist"});
  if (config->log.file) {
    checks.push_back({"log file " + config->log.file->string() + " writable",
                      writable_file_problem(*config->log.file)});
  }
  for (const auto& set : config->sets) {
    std::string what = "set '" + set.name + "' (" + std::string(core::to_string(set.source)) +
                       ", " + std::string(core::to_string(set.method)) + ")";
    if (set.sqlite) {
      checks.push_back(
          {what + ": " + set.sqlite->path.string() + " readable", sqlite_problem(*set.sqlite)});
    } else if (set.mysql) {
      auto connected =
          source::mysql::Connection::connect(source::mysql::connection_options(*set.mysql));
      checks.push_back({what + ": server reachable", connected ? "" : connected.error().message});
      if (connected) checks.push_back(privilege_check(what, *connected, set));
      if (connected && set.archive.enabled) {
        for (auto& item : archive::check_archive_source(*connected, set)) {
          checks.push_back({std::move(item.what), std::move(item.problem), std::move(item.note)});
        }
      }
      if (connected && (set.physical || set.snapshot)) {
        checks.push_back(datadir_check(what, *connected, *set.mysql));
      }
      if (set.physical) {
        // Without connecting, the flavor is unknown: the configured tool, else mariabackup.
        auto tool = source::mysql::find_physical_tool(set.physical->tool.value_or("mariabackup"));
        checks.push_back({what + ": backup tool installed", tool ? "" : tool.error().message});
      }
      if (set.snapshot) {
        checks.push_back(snapshot_tool_check(what, *set.snapshot));
        if (set.snapshot->provider != core::SnapshotProvider::kZfs)
          checks.push_back(mount_point_check(what, *set.snapshot));
      }
    }
  }
  for (const auto& set : config->sets) {
    for (auto& problem : ops::hook_program_problems(set.hooks)) {
      checks.push_back({"set '" + set.name + "' hooks", std::move(problem)});
    }
  }
  for (const auto& set : config->sets) {  // what `dbkeep schedule` and `dbkeep daemon` will read
    auto cron = ops::CronExpression::parse(set.schedule.cron);
    auto zone = core::TimeZone::load(set.schedule.time_zone);
    checks.push_back({"set '" + set.name + "' schedule \"" + set.schedule.cron + "\" in " +
                          set.schedule.time_zone,
                      !cron   ? cron.error().message
                      : !zone ? zone.error().message
                              : ""});
  }

  std::size_t problems = 0;
  nlohmann::json items = nlohmann::json::array();
  std::string text = "configuration " + config->file.string() + ": parsed, " +
                     std::to_string(config->sets.size()) + " sets\n";
  for (const auto& check : checks) {
    bool ok = check.problem.empty();
    problems += ok ? 0 : 1;
    text += std::string(ok ? "  ok    " : "  FAIL  ") + check.what +
            (ok ? "" : ": " + check.problem) + "\n";
    if (!check.note.empty()) text += "  note  " + check.note + "\n";
    items.push_back({{"check", check.what}, {"ok", ok}, {"problem", check.problem}});
    if (!check.note.empty()) items.back()["note"] = check.note;
  }
  context.print(text);
  if (context.global().json) context.print_json({{"ok", problems == 0}, {"checks", items}});
  if (problems > 0) {
    if (context.global().json) return 2;
    return usage_error(std::to_string(problems) + " configuration check(s) failed");
  }
  return 0;
}

}  // namespace dbkeep::cli
