#pragma once
// The restore drill for MySQL/MariaDB backups (`verify --restore-test`), run in a scratch
// directory the caller owns and removes:
//
//   snapshot:  the datadir is restored (jobs/datadir_restore) into <scratch>/data
//   physical:  the chain is unpacked and prepared (jobs/physical_restore) into <scratch>/data
//   logical:   an empty datadir is initialised with mariadb-install-db
//
// then a ScratchServer starts on it (crash recovery runs; snapshots with the backup's log_bin),
// a logical backup is loaded with the parallel loader, and every table is checked
// (jobs/server_checks): CHECK TABLE, row counts against the manifest where it recorded them
// (logical: the rows of each table's chunks).
//
// A backup that does not restore, a server that does not start on it, a load that fails or a
// table that does not check is a finding (report.problems, naming the table where the server or
// the loader did). Errors are for drills that cannot run here (no server binary: kUsage) and
// cancellation (SIGINT/SIGTERM); the server is killed and the scratch files go either way.

#include <filesystem>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/verify/restore_drill.hpp"

namespace dbkeep::verify {

Result<void> drill_mysql(repo::Repository& repository, const repo::Manifest& manifest,
                         const DrillOptions& options, const std::filesystem::path& scratch,
                         DrillReport& report);

}  // namespace dbkeep::verify
