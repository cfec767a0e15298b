#pragma once
// MySQL/MariaDB backups with method = "snapshot": a filesystem snapshot taken under a global
// read lock held only while the snapshot is created, then a copy of the datadir read from the
// snapshot (never from the live datadir). Steps, as run() reads:
//
//   recover leftovers of killed runs (resource journal) → connect → probe → check the layout
//   → provider.prepare() (journals the snapshot, builds its command) → pre_lock hook
//   → sync the filesystems → quiesce (FLUSH NO_WRITE_TO_BINLOG TABLES, then the lock)
//   → record the binlog/GTID position → create the snapshot → release the lock
//   → post_lock hook → mount → post_snapshot hook → copy the files (in parallel; cancellation and
//   snapshot health between batches) → release the snapshot → facts into the manifest
//
// The stored backup is a datadir mirror: each file under its path relative to the datadir, so
// with compression = "none" the backup's data/ directory can be copied back by hand. The
// manifest's facts carry layout = "datadir", which `dbkeep restore --datadir` requires.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/config.hpp"
#include "dbkeep/core/resource_journal.hpp"
#include "dbkeep/source/backup_source.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"
#include "dbkeep/source/mysql/snapshot_plan.hpp"
#include "dbkeep/source/snapshot/snapshot_guard.hpp"

namespace dbkeep::source::mysql {

struct SnapshotSourceSettings {
  std::string set;
  core::MysqlConfig mysql;
  core::SnapshotConfig snapshot;
  std::filesystem::path journal_file;     // the set's resource journal (under state_dir)
  std::filesystem::path repository_path;  // refused if it lies on the snapshotted volume
  int parallel = 2;                       // only sizes the copy batches; session stores
};

class SnapshotSource final : public BackupSource {
 public:
  // `runner` runs every snapshot command (tests pass a RecordingCommandRunner).
  SnapshotSource(SnapshotSourceSettings settings, std::shared_ptr<core::CommandRunner> runner);

  // Recovers leftovers, connects and probes; the size is the server's data size.
  Result<SizeEstimate> estimate() override;
  Result<void> run(repo::BackupSession& session) override;

  // The journal file of a set: <state_dir>/<set>.resources.json.
  static std::filesystem::path journal_file(const std::filesystem::path& state_dir,
                                            const std::string& set);

 private:
  Result<void> open();
  Result<std::vector<std::filesystem::path>> live_roots();
  Result<void> take_snapshot(snapshot::SnapshotGuard& guard,
                             const std::vector<std::filesystem::path>& roots,
                             nlohmann::json& facts);
  static void add_lock_facts(std::map<std::string, std::string>& stage_facts,
                             const nlohmann::json& facts, const Result<void>& taken);
  std::optional<std::int64_t> sync_before_lock(const std::vector<std::filesystem::path>& roots);
  Result<DatadirListing> copy_datadir(repo::BackupSession& session, snapshot::SnapshotGuard& guard,
                                      const std::filesystem::path& root);
  Result<void> copy_files(repo::BackupSession& session, snapshot::SnapshotProvider& provider,
                          const DatadirListing& listing);

  SnapshotSourceSettings settings_;
  std::shared_ptr<core::CommandRunner> runner_;
  std::optional<core::ResourceJournal> journal_;
  std::optional<Connection> connection_;
  ServerFacts facts_;
};

}  // namespace dbkeep::source::mysql
