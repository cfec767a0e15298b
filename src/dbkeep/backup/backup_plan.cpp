#include "dbkeep/backup/backup_plan.hpp"

#include <algorithm>

#include "dbkeep/backup/backup_job.hpp"
#include "dbkeep/backup/free_space.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/ops/hooks.hpp"
#include "dbkeep/pipeline/codec.hpp"
#include "dbkeep/repo/backup_id.hpp"
#include "dbkeep/retention/prune_job.hpp"
#include "dbkeep/source/mysql/connection_options.hpp"
#include "dbkeep/source/mysql/datadir_mapping.hpp"

namespace dbkeep::backup {
namespace {

namespace fs = std::filesystem;

std::uint64_t file_size_or_zero(const fs::path& path) {
  std::error_code error;
  auto size = fs::file_size(path, error);
  return error ? 0 : size;
}

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

std::string lock_text(core::LockMode mode, const core::MysqlConfig& mysql) {
  std::string retry = " (" + std::to_string(mysql.lock_wait_timeout_s) + " s wait per attempt, " +
                      std::to_string(mysql.lock_attempts) + " attempts)";
  switch (mode) {
    case core::LockMode::kFlushTablesWithReadLock:
      return "FLUSH TABLES WITH READ LOCK" + retry;
    case core::LockMode::kBackupStage:
      return "BACKUP STAGE START + BLOCK_COMMIT" + retry;
    case core::LockMode::kNone:
      return "none";
  }
  return "none";
}

// The snapshot commands, with the run's name pattern; sizes are decided when it runs.
std::vector<std::string> snapshot_commands(const core::SnapshotConfig& snapshot,
                                           const std::string& set) {
  const std::string name = "dbkeep_" + set + "_<backup id>";
  const std::string volume = snapshot.volumes.empty() ? "<volume>" : snapshot.volumes.front();
  const std::string mount = (snapshot.mount_point / name).string();
  switch (snapshot.provider) {
    case core::SnapshotProvider::kLvm: {
      std::string size = snapshot.size ? core::format_bytes(*snapshot.size)
                                       : "<15% of the volume, at least 1 GiB>";
      return {"lvcreate --snapshot --size " + size + " --name " + name + " " + volume +
                  "   (under the lock)",
              "mount -o ro,… <snapshot device> " + snapshot.mount_point.string(),
              "umount " + snapshot.mount_point.string(), "lvremove -f <vg>/" + name};
    }
    case core::SnapshotProvider::kBtrfs:
      return {"btrfs subvolume snapshot -r " + volume + " " + mount + "   (under the lock)",
              "btrfs subvolume delete " + mount};
    case core::SnapshotProvider::kZfs: {
      std::string flag = snapshot.recursive ? " -r" : "";
      std::string targets;
      for (const auto& dataset : snapshot.volumes) targets += " " + dataset + "@" + name;
      return {"zfs snapshot" + flag + targets + "   (under the lock)",
              "zfs destroy" + flag + targets};
    }
  }
  return {};
}

std::vector<std::string> hook_lines(const core::HooksConfig& hooks) {
  std::vector<std::string> lines;
  auto add = [&](const char* name, const std::vector<std::string>& argv) {
    if (!argv.empty()) lines.push_back(std::string(name) + ": " + join(argv));
  };
  add("pre_backup", hooks.pre_backup);
  add("pre_lock", hooks.pre_lock);
  add("post_lock", hooks.post_lock);
  add("post_snapshot", hooks.post_snapshot);
  add("post_backup", hooks.post_backup);
  add("on_failure", hooks.on_failure);
  if (lines.empty()) lines.push_back("none");
  return lines;
}

// The source: what is backed up and how big it is; the MySQL methods connect read-only.
std::uint64_t describe_source(const core::SetConfig& set, BackupPlan& plan) {
  if (set.sqlite) {
    auto bytes =
        file_size_or_zero(set.sqlite->path) + file_size_or_zero(set.sqlite->path.string() + "-wal");
    std::error_code error;
    if (!fs::exists(set.sqlite->path, error)) {
      plan.problems.push_back("database " + set.sqlite->path.string() + " does not exist");
    }
    plan.lines.push_back({"source",
                          {set.sqlite->path.string() + ", " + core::format_bytes(bytes) +
                           " (online backup API: writers keep writing)"}});
    plan.lines.push_back({"lock", {"none on the database (a read transaction per copy step)"}});
    return bytes;
  }
  const auto& mysql = *set.mysql;
  auto options = source::mysql::resolved_connection_options(mysql);
  if (!options) {
    plan.problems.push_back(options.error().message);
    return 0;
  }
  auto connection = source::mysql::Connection::connect(*options);
  if (!connection) {
    plan.problems.push_back(connection.error().message);
    return 0;
  }
  const bool reads_files =
      set.method == core::Method::kSnapshot || set.method == core::Method::kPhysical;
  auto facts = reads_files ? source::mysql::probe_server_files(*connection, mysql.datadir)
                           : source::mysql::probe_server(*connection);
  if (!facts) {
    plan.problems.push_back(facts.error().message);
    return 0;
  }
  std::string datadir = facts->datadir.string();
  if (facts->server_datadir != facts->datadir) {
    datadir += " (the server's " + facts->server_datadir.string() + ")";
  }
  plan.lines.push_back({"source",
                        {connection->endpoint() + ": " +
                         std::string(source::mysql::flavor_name(facts->version.flavor)) + " " +
                         facts->version.text + ", datadir " + datadir + ", about " +
                         core::format_bytes(facts->estimated_data_bytes) + " of data"}});
  switch (set.method) {
    case core::Method::kSnapshot:
      plan.lines.push_back({"lock",
                            {lock_text(mysql.lock, mysql) +
                             ", held for the binlog position and the snapshot command only"}});
      plan.lines.push_back({"commands", snapshot_commands(*set.snapshot, set.name)});
      break;
    case core::Method::kLogical:
      plan.lines.push_back(
          {"lock",
           {lock_text(set.logical->lock, mysql) +
            (set.logical->lock == core::LockMode::kNone
                 ? ""
                 : ", held while the dump connections open their consistent snapshots")}});
      break;
    case core::Method::kPhysical:
      plan.lines.push_back(
          {"lock",
           {"the backup tool's own (BACKUP STAGE on MariaDB, LOCK INSTANCE FOR BACKUP on "
            "MySQL 8), at the end of the copy, for non-InnoDB tables and the position"}});
      plan.lines.push_back(
          {"commands",
           {std::string(set.physical->tool.value_or("mariabackup")) +
            " --backup --stream=xbstream --parallel=" + std::to_string(set.physical->parallel) +
            (set.physical->incremental ? " --incremental-lsn=<the newest backup's>" : "") +
            (facts->server_datadir != facts->datadir ? "   (in a private mount namespace)" : "")}});
      break;
    case core::Method::kOnline:
      break;
  }
  return facts->estimated_data_bytes;
}

void describe_space(const core::Config& config, const core::SetConfig& set,
                    repo::Repository& repository, std::uint64_t bytes, BackupPlan& plan) {
  source::SizeEstimate estimate{bytes, set.sqlite ? bytes : 0};
  double ratio = previous_stored_ratio(repository, set.name);
  std::string line = core::format_bytes(bytes) + " to read";
  if (ratio < 1.0) {
    line += ", about " +
            core::format_bytes(static_cast<std::uint64_t>(static_cast<double>(bytes) * ratio)) +
            " stored (as the last backup compressed)";
  }
  auto free = repository.backend().free_bytes();
  if (free && *free) line += "; " + core::format_bytes(**free) + " free in the repository";
  plan.lines.push_back({"space", {line}});
  if (auto fits =
          check_free_space(repository.backend(), config.repository.temp_dir, estimate, ratio);
      !fits) {
    plan.problems.push_back(fits.error().message);
  }
}

// What the prune after this backup would delete: the policy over the catalog with the new
// backup added as the newest.
void describe_retention(const core::SetConfig& set, repo::Repository& repository,
                        BackupPlan& plan) {
  if (!set.retention.prune_after_backup) {
    plan.lines.push_back({"retention", {"prune_after_backup = false: nothing deleted"}});
    return;
  }
  auto policy = retention::retention_policy(set.retention);
  auto catalog = repository.list(set.name);
  if (!policy || !catalog) {
    plan.problems.push_back(!policy ? policy.error().message : catalog.error().message);
    return;
  }
  // The new backup as the engine will see it: the id it would get, the newest.
  repo::Manifest next;
  next.set = set.name;
  next.source = set.source;
  next.method = set.method;
  next.started_at = core::now_seconds();
  next.id = repo::make_backup_id(next.started_at, [&](const std::string& id) {
    return std::ranges::any_of(catalog->backups, [&](const auto& b) { return b.id == id; });
  });
  catalog->backups.insert(catalog->backups.begin(), next);
  auto decisions = retention::decide_for_catalog(*catalog, set.name, *policy);
  if (!decisions) {
    plan.problems.push_back(decisions.error().message);
    return;
  }
  std::vector<std::string> text;
  for (const auto& entry : *decisions) {
    if (!entry.keep) {
      text.push_back("would delete " + entry.id + " (" + core::format_bytes(entry.stored_size) +
                     ", kept by no rule)");
    }
  }
  if (text.empty()) {
    text.push_back("nothing deleted; " + std::to_string(decisions->size()) +
                   " backups kept with this one");
  }
  plan.lines.push_back({"retention", std::move(text)});
}

}  // namespace

BackupPlan plan_backup(const core::Config& config, const core::SetConfig& set,
                       repo::Repository& repository) {
  BackupPlan plan;
  plan.set = set.name;
  plan.summary =
      std::string(core::to_string(set.source)) + ", " + std::string(core::to_string(set.method)) +
      ", " + std::string(pipeline::codec_name(set.codec.codec)) +
      (set.codec.codec == core::Codec::kNone ? "" : " level " + std::to_string(set.codec.level));
  plan.lines.push_back({"repository", {repository.backend().describe()}});
  auto bytes = describe_source(set, plan);
  plan.lines.push_back({"hooks", hook_lines(set.hooks)});
  for (auto& problem : ops::hook_program_problems(set.hooks)) plan.problems.push_back(problem);
  describe_space(config, set, repository, bytes, plan);
  describe_retention(set, repository, plan);
  plan.lines.push_back(
      {"retries",
       {set.retries == 0 ? "none (a failure waits for the next scheduled run)"
                         : std::to_string(set.retries) + ", " +
                               core::format_duration(set.retry_delay) + " apart"}});
  return plan;
}

}  // namespace dbkeep::backup
