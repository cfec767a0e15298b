#pragma once
// A throwaway world for end-to-end snapshot backup tests: a real btrfs volume on a loop device,
// a MariaDB server whose datadir is the volume's subvolume, a repository and a dbkeep config
// (method = "snapshot", provider btrfs) pointing at them, and helpers to drive the real binary.
// The LVM variant (create_on_lvm, only inside the test guest, see docs/vm-tests.md) puts the
// datadir on a fresh logical volume instead and writes provider = "lvm".
//
//   if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) GTEST_SKIP() …
//   auto workspace = SnapshotWorkspace::create().value();
//   auto backup = workspace->dbkeep_json({"backup"});

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "support/btrfs_loop_volume.hpp"
#include "support/cli_workspace.hpp"
#include "support/lvm_test_volume.hpp"
#include "support/mariadb_server.hpp"

namespace dbkeep::test {

class SnapshotWorkspace : public CliWorkspace {
 public:
  // Why the workspace cannot be built here (no btrfs loop volume, no MariaDB), or "".
  static std::string unavailable_reason();
  // `datadir_seen_as`: the server runs as in a container, seeing its datadir at that path
  // (MariaDbServerOptions::datadir_seen_as).
  static Result<std::unique_ptr<SnapshotWorkspace>> create(
      std::optional<std::filesystem::path> datadir_seen_as = std::nullopt);
  // The same on LVM: why not here (outside the test guest, no MariaDB), or "".
  static std::string lvm_unavailable_reason();
  // The datadir is data/ on a new LV named `lv_name` of `lv_size` bytes formatted with
  // `filesystem` ("ext4", "xfs") in the guest's scratch volume group.
  static Result<std::unique_ptr<SnapshotWorkspace>> create_on_lvm(const std::string& lv_name,
                                                                  std::uint64_t lv_size,
                                                                  const std::string& filesystem);

  MariaDbServer& server() { return *server_; }
  BtrfsLoopVolume& volume() { return *volume_; }
  LvmTestVolume& lvm_volume() { return *lvm_volume_; }
  std::filesystem::path repository() const { return dir() / "repo"; }
  // Where the provider puts its read-only snapshots (btrfs: same filesystem, outside the
  // datadir; LVM: the mount point, outside the volume). Empty once a backup cleaned up.
  std::filesystem::path snapshot_dir() const {
    return volume_ ? volume_->mount_dir() / "snapshots" : dir() / "snapshot";
  }

  // Writes the config: set "main", `set_keys` appended to [[set]], `mysql_keys` to
  // [set.mysql] (socket and user root are always there), `snapshot_keys` to [set.snapshot]
  // (provider, volume and mount_point are always there; later tables such as [set.hooks] may
  // follow in the same string).
  void write_config(const std::string& set_keys = "", const std::string& mysql_keys = "",
                    const std::string& snapshot_keys = "") const;

 private:
  SnapshotWorkspace() = default;
  std::unique_ptr<BtrfsLoopVolume> volume_;    // one of the two volumes
  std::unique_ptr<LvmTestVolume> lvm_volume_;  // (the server is stopped before either goes)
  std::unique_ptr<MariaDbServer> server_;
};

// Connects as root to a restored server at `socket` and checks that the bank's money is all
// there (`expected_total`, see bank_writer.hpp) and that CHECK TABLE finds every table OK.
void expect_restored_bank_intact(const std::filesystem::path& socket, std::int64_t expected_total);

// Stops a server `dbkeep restore --start` left running (not our child): SIGTERM, then waits
// until the process is gone or a zombie. Returns false if it is still running after `timeout`.
bool stop_detached_server(pid_t pid, std::chrono::seconds timeout = std::chrono::seconds(60));

// Every base table of the server outside the system schemas, as "schema.table".
std::vector<std::string> user_and_system_tables(source::mysql::Connection& connection);

}  // namespace dbkeep::test
