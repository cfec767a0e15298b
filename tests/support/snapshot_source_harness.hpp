#pragma once
// Base fixture for tests of the snapshot source with a provider this machine cannot run (LVM,
// ZFS): a real MariaDB (one per suite), the provider's commands replayed through a
// RecordingCommandRunner, and a backup driven through SnapshotSource into a local repository.
// The "snapshot" is the live filesystem, since the snapshot commands are recorded, not run:
// these tests check the command sequence and the lock, not the copy's consistency (the btrfs
// tests do that for real).

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "dbkeep/source/mysql/snapshot_source.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/recording_command_runner.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::test {

class SnapshotSourceHarness : public MariaDbTestSuite {
 protected:
  // Resets cancellation and creates the table expect_server_writable() writes to.
  void SetUp() override;

  // Settings for set "main" on the suite's server; the caller fills in `snapshot`.
  source::mysql::SnapshotSourceSettings base_settings() const;
  virtual source::mysql::SnapshotSourceSettings settings() const = 0;

  // Backs up through a SnapshotSource on runner_. `before_run` sees the reserved backup id
  // (e.g. to make a path named after the snapshot); `stage_hook` is set on the source.
  Result<void> run_backup(nlohmann::json* facts = nullptr,
                          const std::function<void(const std::string& id)>& before_run = {},
                          source::StageHook stage_hook = {});

  // Index of the first recorded command line starting with `prefix`, or -1.
  std::ptrdiff_t position_of(const std::string& prefix) const;
  // Fails the test when a write waits for a global lock (the lock must have been released).
  void expect_server_writable();

  core::TempDir scratch_ = make_temp_dir();
  // Where the datadir's filesystem is "mounted": the server datadir's parent directory.
  std::filesystem::path live_root_;
  std::shared_ptr<RecordingCommandRunner> runner_ = std::make_shared<RecordingCommandRunner>();
};

}  // namespace dbkeep::test
