#include "dbkeep/source/mysql/snapshot_source.hpp"

#include <chrono>
#include <sstream>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/source/mysql/quiesce.hpp"
#include "dbkeep/source/snapshot/leftover_recovery.hpp"

namespace dbkeep::source::mysql {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// The copy goes in batches so the driving thread can check cancellation and the snapshot's
// health in between (a provider is driven from one thread only). A batch is large enough to
// keep every worker busy and small enough that an LVM snapshot is polled every few seconds.
constexpr std::uint64_t kBatchBytes = 256ull << 20;

nlohmann::json position_facts(const ReplicationPosition& position) {
  nlohmann::json binlog = {{"file", position.binlog_file},
                           {"position", position.binlog_position},
                           {"gtid_binlog_pos", position.gtid_binlog_pos},
                           {"gtid_executed", position.gtid_executed},
                           {"server_id", position.server_id},
                           {"server_uuid", position.server_uuid}};
  if (position.replica) {
    const auto& replica = *position.replica;
    binlog["replica"] = {{"source_host", replica.source_host},
                         {"source_port", replica.source_port},
                         {"source_log_file", replica.relay_source_log_file},
                         {"source_log_position", replica.exec_source_log_pos},
                         {"gtid_slave_pos", replica.gtid_slave_pos},
                         {"executed_gtid_set", replica.executed_gtid_set}};
  }
  return binlog;
}

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
  TRY_ASSIGN(facts_, probe_server(*connection_));
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
    if (settings_.snapshot.provider == "btrfs") {
      roots.emplace_back(volume);
      continue;
    }
    core::Command command{
        .argv = settings_.snapshot.provider == "lvm"
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
  TRY(provider->prepare());
  const std::string description = provider->description();

  nlohmann::json& facts = session.facts();
  facts["layout"] = "datadir";
  facts["server"] = {{"flavor", std::string(flavor_name(facts_.version.flavor))},
                     {"version", facts_.version.text},
                     {"datadir", facts_.datadir.string()},
                     {"engines", facts_.engines_in_use}};
  facts["snapshot"] = {{"provider", settings_.snapshot.provider},
                       {"volumes", settings_.snapshot.volumes},
                       {"name", options.name}};

  snapshot::SnapshotGuard guard(std::move(provider));
  TRY(take_snapshot(guard, facts));
  TRY(guard->mount());

  const auto copy_started = Clock::now();
  const fs::path root = guard->readable_path(location.volume_index) / location.relative;
  log::info("copying the datadir from " + description + " at " + root.string());
  TRY_ASSIGN(auto listing, list_datadir(root));
  TRY(copy_files(session, guard.provider(), listing));
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

// Lock, record, snapshot, unlock — the only part of the backup that blocks writers.
Result<void> SnapshotSource::take_snapshot(snapshot::SnapshotGuard& guard, nlohmann::json& facts) {
  TRY_ASSIGN(auto quiesce_settings, quiesce_options(settings_.mysql));
  TRY_ASSIGN(auto lock, quiesce(*connection_, quiesce_settings));
  // From here until release() writers wait; nothing slow may happen in between. An error
  // return releases the lock in GlobalLock's destructor, the snapshot in the guard's.
  TRY_ASSIGN(auto position, lock.record_position());
  auto created = guard->create();
  auto released = lock.release();
  TRY(created);
  if (!released) {
    // release() closed the connection, so the server dropped the lock anyway; the snapshot
    // was taken under the lock and is consistent.
    log::warn("unlocking failed (" + released.error().message +
              "); the connection was closed, which releases the lock");
  }
  log::info("global lock held " + std::to_string(lock.held_ms()) + " ms (" +
            std::string(lock_mode_name(lock.mode())) + ", snapshot " + guard->description() +
            "); binlog " +
            (position.binlog_file.empty()
                 ? std::string("off")
                 : position.binlog_file + ":" + std::to_string(position.binlog_position)) +
            (position.gtid_binlog_pos.empty() ? "" : ", GTID " + position.gtid_binlog_pos));
  facts["binlog"] = position_facts(position);
  facts["lock"] = {{"mode", std::string(lock_mode_name(lock.mode()))},
                   {"held_ms", lock.held_ms()},
                   {"held_us", lock.held_time().count()},
                   {"wait_ms", lock.wait_time().count()},
                   {"attempts", lock.attempts()}};
  facts["lock_held_ms"] = lock.held_ms();
  return {};
}

Result<void> SnapshotSource::copy_files(repo::BackupSession& session,
                                        snapshot::SnapshotProvider& provider,
                                        const DatadirListing& listing) {
  std::vector<std::pair<fs::path, std::string>> batch;
  std::uint64_t batch_bytes = 0;
  auto flush = [&]() -> Result<void> {
    if (batch.empty()) return {};
    TRY(core::check_cancellation());
    TRY(provider.check_health());
    TRY(session.store_files(batch));
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
  return core::check_cancellation();
}

}  // namespace dbkeep::source::mysql
