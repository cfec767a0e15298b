#pragma once
// A filesystem/volume snapshot of the database's data, taken while the server holds a global
// read lock, then read from for the copy. One provider per technology (lvm, btrfs, zfs), each in
// its own file; make_snapshot_provider() picks one from the options.
//
// Life cycle, as the snapshot backup method drives it:
//   provider = make_snapshot_provider(options, runner, journal)
//   provider->prepare()          before the lock: resolve volumes, size the snapshot,
//                                journal it and build its command
//   SnapshotGuard guard(provider) from here on every exit path unmounts and removes (or,
//                                if create() never ran, forgets the journal entry)
//   guard->create()              under the lock: one fast command, nothing else
//   guard->mount()               after unlocking
//   copy from guard->readable_path(), calling guard->check_health() now and then
//   guard.release()              unmount, then remove; reports errors
//
// Every external command goes through the CommandRunner; every resource is written to the
// ResourceJournal before it is created and forgotten after it is undone. A provider is not
// thread-safe: copy workers read files below readable_path(), but only the thread driving the
// backup calls the provider (check_health() included).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/config_enums.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/core/resource_journal.hpp"

namespace dbkeep::source::snapshot {

// The provider is a configuration value (core/config_enums.hpp; core::to_string names it).
using ProviderKind = core::SnapshotProvider;

// "lvm" | "btrfs" | "zfs"; anything else (a damaged resource journal) is a usage error.
Result<ProviderKind> parse_provider_kind(std::string_view text);

// The program a provider runs and the Debian package that has it (check-config).
struct ProviderTool {
  std::string_view program;
  std::string_view package;
};
ProviderTool provider_tool(ProviderKind kind);

// How often to try a removal or unmount that the system may refuse for a moment ("device busy"
// while udev or a straggling reader still holds it).
struct RetryPolicy {
  int attempts = 5;
  std::chrono::milliseconds pause{2000};
};

struct SnapshotOptions {
  ProviderKind provider = ProviderKind::kLvm;
  // lvm: one logical volume ("/dev/vg/lv" or "vg/lv"); btrfs: one subvolume path;
  // zfs: one or more datasets, snapshotted atomically in a single command.
  std::vector<std::string> volumes;
  // lvm only: the snapshot's copy-on-write size; nullopt computes it (see lvm_sizing.hpp).
  std::optional<std::uint64_t> size_bytes;
  // lvm: where the snapshot is mounted read-only (created if missing).
  // btrfs: a directory on the same filesystem; the snapshot is created at mount_point/name.
  // zfs: unused (the snapshot is read through <dataset mountpoint>/.zfs/snapshot/name).
  std::filesystem::path mount_point;
  // Unique per backup, e.g. "dbkeep_main_20240501T020000Z"; names the LV, subvolume or snapshot.
  std::string name;
  // lvm only: replaces the per-filesystem read-only mount options.
  std::optional<std::string> mount_options;
  // zfs only: snapshot and destroy descendant datasets too (-r).
  bool recursive = false;
  // lvm only: check_health() fails once the snapshot is this full (percent of its size).
  double fill_limit_percent = 90.0;
  RetryPolicy retry;
};

class SnapshotProvider {
 public:
  virtual ~SnapshotProvider() = default;

  // Validates the volumes, does every slow query (sizes, mountpoints), journals the snapshot
  // and builds its command. Runs before the global read lock is taken, so create() has
  // nothing left to look up or write.
  virtual Result<void> prepare() = 0;
  // Takes the snapshot: runs the one prepared command, and logs nothing. Runs under the
  // global read lock.
  virtual Result<void> create() = 0;
  // Makes the snapshot readable: lvm mounts it read-only; btrfs and zfs need nothing.
  virtual Result<void> mount() = 0;
  // Where the copy reads volume `index` (the order of SnapshotOptions::volumes) from; the
  // datadir's path relative to the volume's root is the same below this path.
  [[nodiscard]] virtual std::filesystem::path readable_path(std::size_t index = 0) const = 0;
  // Fails when the snapshot can no longer be trusted (lvm: invalid or filled past the limit);
  // the message says how big the snapshot should be. Call it during and after the copy.
  virtual Result<void> check_health() = 0;
  // Undo steps; both are no-ops when there is nothing to undo, so they are safe to repeat.
  virtual Result<void> unmount() = 0;
  virtual Result<void> remove() = 0;

  // "lvm snapshot vg/name", for log lines.
  [[nodiscard]] virtual std::string description() const = 0;
};

// Validates `options` (volume count, name, mount point) and builds the matching provider.
// `runner` and `journal` must outlive the provider.
Result<std::unique_ptr<SnapshotProvider>> make_snapshot_provider(SnapshotOptions options,
                                                                 core::CommandRunner& runner,
                                                                 core::ResourceJournal& journal);

}  // namespace dbkeep::source::snapshot
