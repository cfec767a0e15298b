#pragma once
// ZFS: one atomic snapshot across every configured dataset, read through the hidden .zfs
// directory of each dataset.
//   prepare: zfs get -H -o value mountpoint DATASET   (for each dataset)
//   create:  zfs snapshot [-r] DS1@NAME DS2@NAME …   (one command: atomic across datasets)
//   read:    <mountpoint of DSi>/.zfs/snapshot/NAME
//   undo:    zfs destroy [-r] DSi@NAME               (for each dataset, retried)

#include <memory>

#include "dbkeep/source/snapshot/snapshot_provider.hpp"

namespace dbkeep::source::snapshot {

std::unique_ptr<SnapshotProvider> make_zfs_snapshot_provider(SnapshotOptions options,
                                                             core::CommandRunner& runner,
                                                             core::ResourceJournal& journal);

}  // namespace dbkeep::source::snapshot
