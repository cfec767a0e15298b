#include "dbkeep/source/mysql/snapshot_source.hpp"

#include <chrono>
#include <map>
#include <sstream>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/progress.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/source/mysql/datadir_mapping.hpp"
#include "dbkeep/source/mysql/quiesce.hpp"
#include "dbkeep/source/snapshot/leftover_recovery.hpp"
#include "dbkeep/source/snapshot/mount_point.hpp"

namespace dbkeep::source::mysql {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::int64_t us_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
}

// The copy goes in batches so the driving thread can check cancellation and the snapshot's
// health in between (a provider is driven from one thread only). A batch is large enough to
// keep every worker busy and small enough that an LVM snapshot is polled every few seconds.
constexpr std::uint64_t kBatchBytes = 256ull << 20;

}  // namespace

SnapshotSource::SnapshotSource(SnapshotSourceSettings settings,
                               std::shared_ptr<core::CommandRunner> runner)
    : settings_(std::move(settings)), runner_(std::move(runner)) {}

fs::path SnapshotSource::journal_file(const fs::path& state_dir, const std::string& set) {
  return state_dir / (set + ".resources.json");
}

Result<void> SnapshotSource::open() {
  if (connection_) return {};
  // A killed run may have left a snapshot (and, for LVM, a mount): undo it before anything.
  TRY_ASSIGN(auto journal, core::ResourceJournal::open(settings_.journal_file));
  journal_.emplace(std::move(journal));
  TRY(snapshot::recover_leftovers(*journal_, *runner_));

  TRY_ASSIGN(auto connection, Connection::connect(connection_options(settings_.mysql)));
  connection_.emplace(std::move(connection));
  TRY_ASSIGN(facts_, probe_server_files(*connection_, settings_.mysql.datadir));
  log::info("server " + connection_->endpoint() + ": " +
            std::string(flavor_name(facts_.version.flavor)) + " " + facts_.version.text +
            ", datadir " + facts_.datadir.string() +
            (facts_.log_bin ? ", binary log on" : ", binary log off"));
  return {};
}

Result<SizeEstimate> SnapshotSource::estimate() {
  TRY(open());
  return SizeEstimate{facts_.estimated_data_bytes, 0};
}

// Where each snapshotted volume is mounted now, to find the datadir inside it.
Result<std::vector<fs::path>> SnapshotSource::live_roots() {
  std::vector<fs::path> roots;
  for (const auto& volume : settings_.snapshot.volumes) {
    if (settings_.snapshot.provider == core::SnapshotProvider::kBtrfs) {
      roots.emplace_back(volume);
      continue;
    }
    core::Command command{
        .argv = settings_.snapshot.provider == core::SnapshotProvider::kLvm
                    ? std::vector<std::string>{"findmnt", "-n", "-o", "TARGET", "--source", volume}
                    : std::vector<std::string>{"zfs", "get", "-H", "-o", "value", "mountpoint",
                                               volume}};
    auto found = core::run_checked(*runner_, command);
    if (!found) {
      return propagate(found.error().with_context("finding where " + volume + " is mounted"));
    }
    std::string mount_point;
    std::istringstream(found->stdout_text) >> mount_point;
    if (mount_point.empty() || mount_point.front() != '/') {
      return usage_error("snapshot.volume " + volume + " is not mounted (\"" + mount_point +
                         "\"); the datadir must be on it");
    }
    roots.emplace_back(mount_point);
  }
  return roots;
}

Result<void> SnapshotSource::run(repo::BackupSession& session) {
  const auto started = Clock::now();
  TRY(open());
  TRY_ASSIGN(auto roots, live_roots());
  TRY_ASSIGN(auto location, locate_datadir(facts_, roots, settings_.repository_path));
  TRY_ASSIGN(auto options,
             snapshot_options(settings_.snapshot, snapshot_name(settings_.set, session.id())));
  TRY_ASSIGN(auto provider, snapshot::make_snapshot_provider(options, *runner_, *journal_));
  // Before the lock, so a missing or impossible mount point never costs a lock window.
  if (settings_.snapshot.provider != core::SnapshotProvider::kZfs) {
    TRY(snapshot::prepare_mount_point(settings_.snapshot.mount_point));
  }
  TRY(provider->prepare());
  const std::string description = provider->description();

  nlohmann::json& facts = session.facts();
  facts["layout"] = "datadir";
  facts["server"] = {{"flavor", std::string(flavor_name(facts_.version.flavor))},
                     {"version", facts_.version.text},
                     {"datadir", facts_.datadir.string()},
                     {"engines", facts_.engines_in_use}};
  if (facts_.server_datadir != facts_.datadir) {
    facts["server"]["server_datadir"] = facts_.server_datadir.string();
  }
  repo::record_tables(facts, facts_.tables);
  facts["snapshot"] = {{"provider", std::string(core::to_string(settings_.snapshot.provider))},
                       {"volumes", settings_.snapshot.volumes},
                       {"name", options.name}};

  std::map<std::string, std::string> stage_facts = {
      {"DBKEEP_METHOD", "snapshot"},
      {"DBKEEP_BACKUP_ID", session.id()},
      {"DBKEEP_DATADIR", facts_.datadir.string()},
      {"DBKEEP_SERVER_VERSION", facts_.version.text},
      {"DBKEEP_SNAPSHOT_PROVIDER", std::string(core::to_string(settings_.snapshot.provider))},
      {"DBKEEP_SNAPSHOT_NAME", options.name}};

  snapshot::SnapshotGuard guard(std::move(provider));
  // Hooks run before and after the lock window, never inside it (docs/snapshot.md).
  TRY(reach_stage("pre_lock", stage_facts));
  auto taken = take_snapshot(guard, roots, facts);
  add_lock_facts(stage_facts, facts, taken);
  // post_lock runs whenever pre_lock did, like post_backup: it undoes what pre_lock did.
  auto post_lock = reach_stage("post_lock", stage_facts);
  TRY(taken);
  TRY(post_lock);
  TRY(guard->mount());

  const fs::path root = guard->readable_path(location.volume_index) / location.relative;
  stage_facts["DBKEEP_SNAPSHOT_PATH"] = root.string();
  TRY(reach_stage("post_snapshot", stage_facts));

  const auto copy_started = Clock::now();
  log::info("copying the datadir from " + description + " at " + root.string());
  TRY_ASSIGN(auto listing, copy_datadir(session, guard, root));
  TRY(guard->check_health());  // a snapshot that overflowed at the end is no better
  const auto copy_ms = ms_since(copy_started);
  TRY(guard.release());

  std::uint64_t bytes = 0;
  for (const auto& file : listing.files) bytes += file.size;
  facts["directories"] = listing.directories;
  facts["durations_ms"] = {{"copy", copy_ms}, {"total", ms_since(started)}};
  log::info("copied " + std::to_string(listing.files.size()) + " files (" +
            core::format_bytes(bytes) + ") from the snapshot in " +
            core::format_duration(std::chrono::milliseconds(copy_ms)));
  return {};
}

// What the stage hooks after the lock window learn: DBKEEP_LOCK_*, DBKEEP_BINLOG_*, or the error.
void SnapshotSource::add_lock_facts(std::map<std::string, std::string>& stage_facts,
                                    const nlohmann::json& facts, const Result<void>& taken) {
  if (!taken) {
    stage_facts["DBKEEP_STATUS"] = "failed";
    stage_facts["DBKEEP_ERROR"] = taken.error().message;
    return;
  }
  const auto& lock = facts["lock"];
  const auto& binlog = facts["binlog"];
  stage_facts["DBKEEP_LOCK_MODE"] = lock["mode"].get<std::string>();
  stage_facts["DBKEEP_LOCK_HELD_MS"] = std::to_string(lock["held_ms"].get<std::int64_t>());
  stage_facts["DBKEEP_LOCK_HELD_US"] = std::to_string(lock["held_us"].get<std::int64_t>());
  stage_facts["DBKEEP_BINLOG_FILE"] = binlog["file"].get<std::string>();
  stage_facts["DBKEEP_BINLOG_POSITION"] = std::to_string(binlog["position"].get<std::uint64_t>());
  stage_facts["DBKEEP_GTID_BINLOG_POS"] = binlog["gtid_binlog_pos"].get<std::string>();
  stage_facts["DBKEEP_GTID_EXECUTED"] = binlog["gtid_executed"].get<std::string>();
}

// Lock, record, snapshot, unlock — the only part of the backup that blocks writers. Everything
// that can happen before the lock does (probing, the journal entry, the command line, syncing
// the filesystem); nothing is logged and no hook runs while the lock is held.
Result<void> SnapshotSource::take_snapshot(snapshot::SnapshotGuard& guard,
                                           const std::vector<fs::path>& roots,
                                           nlohmann::json& facts) {
  TRY_ASSIGN(auto quiesce_settings, quiesce_options(settings_.mysql));
  const auto sync_ms = sync_before_lock(roots);
  TRY_ASSIGN(auto lock, quiesce(*connection_, quiesce_settings));
  // From here until release() writers wait; nothing slow may happen in between. An error
  // return releases the lock in GlobalLock's destructor, the snapshot in the guard's.
  const auto locked_at = Clock::now();
  TRY_ASSIGN(auto position, lock.record_position());
  const auto recorded_at = Clock::now();
  auto created = guard->create();
  const auto created_at = Clock::now();
  auto released = lock.release();
  const auto unlocked_at = Clock::now();
  TRY(created);
  if (!released) {
    // release() closed the connection, so the server dropped the lock anyway; the snapshot
    // was taken under the lock and is consistent.
    log::warn("unlocking failed (" + released.error().message +
              "); the connection was closed, which releases the lock");
  }
  log::info("global lock held " + std::to_string(lock.held_ms()) + " ms (" +
            std::string(core::to_string(lock.mode())) + ", snapshot " + guard->description() +
            "); binlog " +
            (position.binlog_file.empty()
                 ? std::string("off")
                 : position.binlog_file + ":" + std::to_string(position.binlog_position)) +
            (position.gtid_binlog_pos.empty() ? "" : ", GTID " + position.gtid_binlog_pos));
  repo::record_binlog_position(facts, position);
  facts["lock"] = {{"wait_ms", lock.wait_time().count()},
                   {"attempts", lock.attempts()},
                   {"steps_us",
                    {{"record_position", us_between(locked_at, recorded_at)},
                     {"snapshot", us_between(recorded_at, created_at)},
                     {"unlock", us_between(created_at, unlocked_at)}}}};
  if (sync_ms) facts["lock"]["sync_before_ms"] = *sync_ms;
  repo::record_lock_window(facts, {lock.mode(), lock.held_ms(), lock.held_time().count()});
  return {};
}

// The snapshot command commits the filesystem's transaction (btrfs, a ZFS transaction group) or
// freezes it (LVM), writing out whatever is dirty — under the lock. Syncing just before leaves
// only what was written since. Best effort: a failure costs lock time, not the backup.
std::optional<std::int64_t> SnapshotSource::sync_before_lock(const std::vector<fs::path>& roots) {
  if (!settings_.snapshot.sync_before_lock) return std::nullopt;
  const auto started = Clock::now();
  for (const auto& root : roots) {
    if (auto synced = core::sync_filesystem(root); !synced) {
      log::warn("could not sync the filesystem before locking: " + synced.error().message);
    }
  }
  const auto took = ms_since(started);
  log::debug("synced " + std::to_string(roots.size()) + " filesystem(s) before locking in " +
             std::to_string(took) + " ms");
  return took;
}

// Lists and copies the datadir at `root` in the snapshot. An overflowed LVM snapshot reads as
// I/O errors ("cannot read …: Input/output error"): a failure names the cause, not the symptom.
Result<DatadirListing> SnapshotSource::copy_datadir(repo::BackupSession& session,
                                                    snapshot::SnapshotGuard& guard,
                                                    const fs::path& root) {
  auto listing = list_datadir(root);
  auto copied = listing ? copy_files(session, guard.provider(), *listing) : Result<void>();
  if (listing && copied) return listing;
  const Error& symptom = listing ? copied.error() : listing.error();
  if (auto healthy = guard->check_health();
      !healthy && healthy.error().message != symptom.message) {
    return fail(healthy.error().message + " (reading it failed: " + symptom.message + ")");
  }
  return propagate(symptom);
}

Result<void> SnapshotSource::copy_files(repo::BackupSession& session,
                                        snapshot::SnapshotProvider& provider,
                                        const DatadirListing& listing) {
  std::uint64_t total = 0;
  for (const auto& file : listing.files) total += file.size;
  core::ProgressMeter progress("copying from the snapshot", total);
  const auto on_progress = [&progress](std::uint64_t bytes) { progress.add(bytes); };
  std::vector<std::pair<fs::path, std::string>> batch;
  std::uint64_t batch_bytes = 0;
  auto flush = [&]() -> Result<void> {
    if (batch.empty()) return {};
    TRY(core::check_cancellation());
    TRY(provider.check_health());
    TRY(session.store_files(batch, on_progress));
    batch.clear();
    batch_bytes = 0;
    return {};
  };
  for (const auto& file : listing.files) {
    batch.emplace_back(file.file, file.path);
    batch_bytes += file.size;
    if (batch_bytes >= kBatchBytes) TRY(flush());
  }
  TRY(flush());
  progress.finish();
  return core::check_cancellation();
}

}  // namespace dbkeep::source::mysql
