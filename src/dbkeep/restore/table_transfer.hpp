#pragma once
// `restore --only` for snapshot and physical backups: the backup is brought up on a scratch
// server (restore/scratch_restore.hpp), and the selected tables go from it into the target
// server through dbkeep's own logical dump and parallel loader — the dump into a scratch
// repository beside it (uncompressed: it is read back at once), the load with --only, so a
// table arrives with its triggers, a schema with its views, routines and events, exactly as
// from a logical backup, and the rest of the target is untouched.
//
// InnoDB transportable tablespaces (FLUSH TABLES … FOR EXPORT, then DISCARD/IMPORT TABLESPACE)
// would copy files instead of rows; they need the target's datadir on this host and matching
// row formats and server versions, and are not built yet (docs/restore.md).

#include <filesystem>

#include "dbkeep/core/error.hpp"
#include "dbkeep/restore/logical/logical_restore.hpp"
#include "dbkeep/restore/scratch_server.hpp"
#include "dbkeep/restore/table_selection.hpp"

namespace dbkeep::restore {

// Checks `load.only` against every base table of `from` (a kUsage error naming `backup` and
// what it holds), dumps the selected tables into `work_dir`/transfer and loads them with
// `load` (its connection, renames, --drop-existing, workers). `work_dir` is the caller's.
Result<logical::LogicalRestoreResult> transfer_tables(const ScratchServer& from,
                                                      const logical::LogicalRestoreOptions& load,
                                                      const std::filesystem::path& work_dir,
                                                      const std::string& backup);

// The include patterns of a logical dump that cover `only` (schema.table, or schema).
Result<std::vector<std::string>> dump_patterns(const TableSelection& only);

}  // namespace dbkeep::restore
