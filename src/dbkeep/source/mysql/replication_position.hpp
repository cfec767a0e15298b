#pragma once
// The point in the server's history a backup corresponds to: binary log file/position and GTID
// state, plus the source's coordinates when the server is itself a replica. Read inside the
// global lock (GlobalLock::record_position), so it matches the snapshot exactly; that is what
// point-in-time recovery and seeding a new replica start from.

#include <cstdint>
#include <optional>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/binlog_position.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"

namespace dbkeep::source::mysql {

// The record itself is the manifest's (repo/binlog_position.hpp): one type from the server to
// the restore.
using repo::ReplicaStatus;
using repo::ReplicationPosition;

// Reads the position with the statements `version` supports (SHOW MASTER STATUS, or SHOW
// BINARY LOG STATUS on MySQL >= 8.2; SHOW SLAVE STATUS, or SHOW REPLICA STATUS on MySQL >=
// 8.0.22). Only consistent with data while writes are blocked (FTWRL or BACKUP STAGE
// BLOCK_COMMIT). Needs BINLOG MONITOR / REPLICATION CLIENT and, for replicas, REPLICA MONITOR.
Result<ReplicationPosition> read_replication_position(Connection& connection,
                                                      const ServerVersion& version);

}  // namespace dbkeep::source::mysql
