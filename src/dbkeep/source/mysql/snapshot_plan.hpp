#pragma once
// The pure parts of the snapshot method, kept apart from the I/O so they are easy to test:
// mapping the configuration to option structs, finding where the datadir lives inside the
// snapshotted volume, refusing layouts a snapshot cannot copy consistently, and listing the
// files to copy below the snapshot's readable path.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/connection_options.hpp"
#include "dbkeep/source/mysql/quiesce.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"
#include "dbkeep/source/snapshot/snapshot_provider.hpp"

namespace dbkeep::source::mysql {

Result<QuiesceOptions> quiesce_options(const core::MysqlConfig& config);
// `name` is made safe for an LV/subvolume/ZFS snapshot name.
Result<snapshot::SnapshotOptions> snapshot_options(const core::SnapshotConfig& config,
                                                   const std::string& name);
// "dbkeep_<set>_<id>" with every character a snapshot name may not hold replaced by '_'.
std::string snapshot_name(const std::string& set, const std::string& id);

// Where the datadir is found: volume `volume_index`, at `relative` below its root.
struct DatadirLocation {
  std::size_t volume_index = 0;
  std::filesystem::path relative;  // "" when the datadir is the volume's root
};

// Checks the layout against the live roots of the snapshotted volumes (where each volume is
// mounted now): every path in paths_requiring_snapshot() must lie inside the datadir (the
// method copies the datadir) and inside a volume; the repository must not lie on a volume
// (the backup would copy itself and fill the snapshot). Errors are kUsage and name the path.
Result<DatadirLocation> locate_datadir(const ServerFacts& facts,
                                       const std::vector<std::filesystem::path>& live_roots,
                                       const std::filesystem::path& repository_path);

struct FileToCopy {
  std::filesystem::path file;  // absolute, below the snapshot's readable path
  std::string path;            // relative to the datadir, '/'-separated: the stored name
  std::uint64_t size = 0;
};
struct DatadirListing {
  std::vector<FileToCopy> files;
  std::vector<std::string> directories;  // relative, so empty databases survive a restore
};

// Regular files and directories below `root` (a snapshot's copy of the datadir); sockets,
// FIFOs and symlinks are skipped (a symlink would point into the live system).
Result<DatadirListing> list_datadir(const std::filesystem::path& root);

}  // namespace dbkeep::source::mysql
