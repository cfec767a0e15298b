#pragma once
// btrfs: a read-only snapshot of the datadir's subvolume, read in place.
//   prepare: btrfs subvolume show SUBVOLUME   (fails early when it is not a subvolume)
//   create:  btrfs subvolume snapshot -r SUBVOLUME MOUNT_POINT/NAME
//   undo:    btrfs subvolume delete MOUNT_POINT/NAME (retried)
// MOUNT_POINT must be a directory on the same btrfs filesystem as the subvolume.

#include <memory>

#include "dbkeep/source/snapshot/snapshot_provider.hpp"

namespace dbkeep::source::snapshot {

std::unique_ptr<SnapshotProvider> make_btrfs_snapshot_provider(SnapshotOptions options,
                                                               core::CommandRunner& runner,
                                                               core::ResourceJournal& journal);

}  // namespace dbkeep::source::snapshot
