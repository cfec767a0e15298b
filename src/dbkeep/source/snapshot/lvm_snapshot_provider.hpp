#pragma once
// LVM: a classic copy-on-write snapshot LV, mounted read-only for the copy.
//   prepare: lvs (VG, LV, size) [+ vgs (VG free) when the size is automatic]
//   create:  lvcreate --snapshot --size SIZE --name NAME VG/LV
//   mount:   blkid (filesystem type), mount -t TYPE -o ro,… /dev/VG/NAME MOUNT_POINT
//   health:  lvs --noheadings -o lv_attr,data_percent VG/NAME
//   undo:    umount MOUNT_POINT, lvremove -f VG/NAME (both retried)

#include <memory>

#include "dbkeep/source/snapshot/snapshot_provider.hpp"

namespace dbkeep::source::snapshot {

std::unique_ptr<SnapshotProvider> make_lvm_snapshot_provider(SnapshotOptions options,
                                                             core::CommandRunner& runner,
                                                             core::ResourceJournal& journal);

// Read-only mount options that never write to the origin's filesystem image: XFS refuses a
// second mount of the same UUID and would replay its log; ext3/ext4 would replay the journal.
std::string read_only_mount_options(std::string_view filesystem_type);

}  // namespace dbkeep::source::snapshot
