#pragma once
// The point in the server's history a backup corresponds to: binary log file/position and GTID
// state, plus the source's coordinates when the server is itself a replica. Read inside the
// global lock (GlobalLock::record_position), so it matches the snapshot exactly; that is what
// point-in-time recovery and seeding a new replica start from.

#include <cstdint>
#include <optional>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"

namespace dbkeep::source::mysql {

// Where this server, as a replica, had got to in its source's binary log.
struct ReplicaStatus {
  std::string source_host;
  unsigned source_port = 0;
  std::string relay_source_log_file;      // Relay_Master_Log_File / Relay_Source_Log_File
  std::uint64_t exec_source_log_pos = 0;  // Exec_Master_Log_Pos / Exec_Source_Log_Pos
  std::string gtid_slave_pos;             // MariaDB @@gtid_slave_pos
  std::string executed_gtid_set;          // MySQL Executed_Gtid_Set
  bool io_running = false;
  bool sql_running = false;
};

struct ReplicationPosition {
  std::string binlog_file;  // empty when binary logging is off
  std::uint64_t binlog_position = 0;
  std::string gtid_binlog_pos;  // MariaDB: @@gtid_binlog_pos ("0-1-42"); may be empty
  std::string gtid_executed;    // MySQL: @@gtid_executed; may be empty
  std::uint32_t server_id = 0;
  std::string server_uuid;               // MySQL only
  std::optional<ReplicaStatus> replica;  // set when the server replicates from a source
};

// Reads the position with the statements `version` supports (SHOW MASTER STATUS, or SHOW
// BINARY LOG STATUS on MySQL >= 8.2; SHOW SLAVE STATUS, or SHOW REPLICA STATUS on MySQL >=
// 8.0.22). Only consistent with data while writes are blocked (FTWRL or BACKUP STAGE
// BLOCK_COMMIT). Needs BINLOG MONITOR / REPLICATION CLIENT and, for replicas, REPLICA MONITOR.
Result<ReplicationPosition> read_replication_position(Connection& connection,
                                                      const ServerVersion& version);

}  // namespace dbkeep::source::mysql
