#pragma once
// The snapshot mount point ([set.snapshot] mount_point): btrfs creates its snapshots inside it,
// LVM mounts its snapshot on it (ZFS does not use it). A missing one is created before the
// global lock — never found missing under it — and check-config describes it the same way.

#include <filesystem>
#include <string>

#include "dbkeep/core/error.hpp"

namespace dbkeep::source::snapshot {

// "" when `mount_point` is a directory, or is missing and can be created (its nearest existing
// ancestor is a writable directory); otherwise what is in the way, naming it. Changes nothing.
std::string mount_point_problem(const std::filesystem::path& mount_point);

// Creates a missing mount point with its missing parents (0700, logged); refuses with kUsage one
// that is not a directory or cannot be created.
Result<void> prepare_mount_point(const std::filesystem::path& mount_point);

}  // namespace dbkeep::source::snapshot
