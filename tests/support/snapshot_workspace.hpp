#pragma once
// A throwaway world for end-to-end snapshot backup tests: a real btrfs volume on a loop device,
// a MariaDB server whose datadir is the volume's subvolume, a repository and a dbkeep config
// (method = "snapshot", provider btrfs) pointing at them, and helpers to drive the real binary.
//
//   if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) GTEST_SKIP() …
//   auto workspace = SnapshotWorkspace::create().value();
//   auto backup = workspace->dbkeep_json({"backup"});

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "support/btrfs_loop_volume.hpp"
#include "support/mariadb_server.hpp"
#include "support/run_dbkeep.hpp"
#include "support/scratch_directory.hpp"

namespace dbkeep::test {

class SnapshotWorkspace {
 public:
  // Why the workspace cannot be built here (no btrfs loop volume, no MariaDB), or "".
  static std::string unavailable_reason();
  static Result<std::unique_ptr<SnapshotWorkspace>> create();

  MariaDbServer& server() { return *server_; }
  BtrfsLoopVolume& volume() { return *volume_; }
  const std::filesystem::path& dir() const { return scratch_.path(); }
  std::filesystem::path repository() const { return dir() / "repo"; }
  std::filesystem::path config() const { return dir() / "dbkeep.toml"; }
  // Where the provider puts its read-only snapshots (same filesystem, outside the datadir).
  std::filesystem::path snapshot_dir() const { return volume_->mount_dir() / "snapshots"; }

  // Writes the config: set "main", `set_keys` appended to [[set]], `mysql_keys` to
  // [set.mysql] (socket and user root are always there).
  void write_config(const std::string& set_keys = "", const std::string& mysql_keys = "") const;

  DbkeepRun dbkeep(std::vector<std::string> args,
                   const std::map<std::string, std::string>& env = {}) const;
  // Runs with --json; parses stdout (empty object, and a test failure, if it is not JSON).
  nlohmann::json dbkeep_json(std::vector<std::string> args, int expected_exit = 0) const;

 private:
  SnapshotWorkspace() = default;
  ScratchDirectory scratch_;
  std::unique_ptr<BtrfsLoopVolume> volume_;
  std::unique_ptr<MariaDbServer> server_;
};

// Stops a server `dbkeep restore --start` left running (not our child): SIGTERM, then waits
// until the process is gone or a zombie. Returns false if it is still running after `timeout`.
bool stop_detached_server(pid_t pid, std::chrono::seconds timeout = std::chrono::seconds(60));

// Every base table of the server outside the system schemas, as "schema.table".
std::vector<std::string> user_and_system_tables(source::mysql::Connection& connection);

}  // namespace dbkeep::test
