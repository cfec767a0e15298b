#pragma once
// The point in a MySQL server's history a backup corresponds to, as every MySQL method records
// it in the manifest (facts "binlog" and "lock"), and the one reader for it. Point-in-time
// recovery, `restore --binlog-info` and drills start from here.
//
// Manifest shape (docs/manifest.md):
//   "binlog": {"file", "position", "gtid_binlog_pos", "gtid_executed", "server_id",
//              "server_uuid", "replica": {...}}       file "" when binary logging was off
//   "lock":   {"mode", "held_ms", "held_us", ...}      methods that block writes for the point
//   "lock_held_ms": N                                 the same figure, for metrics and bench
// Manifests written before this record (up to 0.1.0) used two other shapes, still read here:
// logical backups "position": {"binlog_file", "binlog_position", …} with "lock_mode" and
// "lock_held_ms"; physical backups top-level "binlog_file", "binlog_position" and "gtid".

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dbkeep/core/config_enums.hpp"
#include "dbkeep/repo/manifest.hpp"

namespace dbkeep::repo {

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

  bool operator==(const ReplicaStatus&) const = default;
};

struct ReplicationPosition {
  std::string binlog_file;  // empty when binary logging is off
  std::uint64_t binlog_position = 0;
  std::string gtid_binlog_pos;           // MariaDB: @@gtid_binlog_pos ("0-1-42"); may be empty
  std::string gtid_executed;             // MySQL: @@gtid_executed; may be empty
  std::uint32_t server_id = 0;           // 0: not recorded
  std::string server_uuid;               // MySQL only
  std::optional<ReplicaStatus> replica;  // set when the server replicates from a source

  // False when binary logging was off: no position to replay from.
  [[nodiscard]] bool has_binlog() const {
    return !binlog_file.empty() || !gtid_binlog_pos.empty() || !gtid_executed.empty();
  }
  bool operator==(const ReplicationPosition&) const = default;
};

// How long writers were blocked while the consistent point was taken.
struct LockWindow {
  core::LockMode mode = core::LockMode::kFlushTablesWithReadLock;
  std::int64_t held_ms = 0;  // rounded up: a held lock never reads 0
  std::int64_t held_us = 0;  // 0 when not measured (manifests before this record)

  bool operator==(const LockWindow&) const = default;
};

// Sets facts["binlog"].
void record_binlog_position(nlohmann::json& facts, const ReplicationPosition& position);
// Sets facts["lock"] mode/held_ms/held_us (other keys in it are kept) and facts["lock_held_ms"].
void record_lock_window(nlohmann::json& facts, const LockWindow& window);

// The recorded position of any MySQL backup, from the current shape or the older ones;
// nullopt when the manifest records none (SQLite, or a facts table that names no position).
std::optional<ReplicationPosition> read_binlog_position(const Manifest& manifest);
std::optional<LockWindow> read_lock_window(const Manifest& manifest);

}  // namespace dbkeep::repo
