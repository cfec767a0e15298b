#include "dbkeep/source/mysql/replication_position.hpp"

#include <charconv>
#include <initializer_list>

#include "dbkeep/core/log.hpp"

namespace dbkeep::source::mysql {
namespace {

// ER_SPECIFIC_ACCESS_DENIED_ERROR: "you need (at least one of) the … privilege(s)".
constexpr unsigned kSpecificAccessDenied = 1227;

// The first of `names` present in row 0 (columns were renamed master→source in MySQL 8.0.22).
std::string first_value(const QueryResult& result, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (result.column_index(name)) return result.value(0, name).value_or("");
  }
  return {};
}

template <typename Number>
Number to_number(const std::string& text) {
  Number value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

bool is_mysql(const ServerVersion& version) {
  return version.flavor != Flavor::kMariaDb;
}

Result<std::optional<ReplicaStatus>> read_replica_status(Connection& connection,
                                                         const ServerVersion& version) {
  const bool new_names = is_mysql(version) && version.at_least(8, 0, 22);
  auto read = connection.query(new_names ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS");
  if (!read && connection.last_error_number() == kSpecificAccessDenied) {
    // Only a replica has a status to read, and most backup users back up a primary: go on
    // without it, once said (check-config lists the grant).
    log::warn(std::string("replica status not read: the backup user lacks ") +
              (is_mysql(version) ? "REPLICATION CLIENT" : "SLAVE MONITOR") +
              "; if this server is a replica, grant it so the backup records its source "
              "position");
    return std::optional<ReplicaStatus>();
  }
  TRY_ASSIGN(auto result, std::move(read));
  if (result.rows.empty()) return std::optional<ReplicaStatus>();
  ReplicaStatus status;
  status.source_host = first_value(result, {"Source_Host", "Master_Host"});
  status.source_port = to_number<unsigned>(first_value(result, {"Source_Port", "Master_Port"}));
  status.relay_source_log_file =
      first_value(result, {"Relay_Source_Log_File", "Relay_Master_Log_File"});
  status.exec_source_log_pos =
      to_number<std::uint64_t>(first_value(result, {"Exec_Source_Log_Pos", "Exec_Master_Log_Pos"}));
  status.executed_gtid_set = first_value(result, {"Executed_Gtid_Set"});
  status.gtid_slave_pos = first_value(result, {"Gtid_Slave_Pos"});
  status.io_running = first_value(result, {"Replica_IO_Running", "Slave_IO_Running"}) == "Yes";
  status.sql_running = first_value(result, {"Replica_SQL_Running", "Slave_SQL_Running"}) == "Yes";
  if (!is_mysql(version) && status.gtid_slave_pos.empty()) {
    TRY_ASSIGN(auto gtid, connection.query_single_value("SELECT @@GLOBAL.gtid_slave_pos"));
    status.gtid_slave_pos = gtid.value_or("");
  }
  return std::optional<ReplicaStatus>(std::move(status));
}

}  // namespace

Result<ReplicationPosition> read_replication_position(Connection& connection,
                                                      const ServerVersion& version) {
  ReplicationPosition position;
  const bool binary_log_status = is_mysql(version) && version.at_least(8, 2, 0);
  TRY_ASSIGN(auto status,
             connection.query(binary_log_status ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS"));
  if (!status.rows.empty()) {  // no row: binary logging is off
    position.binlog_file = first_value(status, {"File"});
    position.binlog_position = to_number<std::uint64_t>(first_value(status, {"Position"}));
    position.gtid_executed = first_value(status, {"Executed_Gtid_Set"});
  }

  TRY_ASSIGN(auto server_id, connection.query_single_value("SELECT @@GLOBAL.server_id"));
  position.server_id = to_number<std::uint32_t>(server_id.value_or("0"));
  if (is_mysql(version)) {
    TRY_ASSIGN(auto uuid, connection.query_single_value("SELECT @@GLOBAL.server_uuid"));
    position.server_uuid = uuid.value_or("");
    if (position.gtid_executed.empty()) {
      TRY_ASSIGN(auto executed, connection.query_single_value("SELECT @@GLOBAL.gtid_executed"));
      position.gtid_executed = executed.value_or("");
    }
  } else {
    TRY_ASSIGN(auto gtid, connection.query_single_value("SELECT @@GLOBAL.gtid_binlog_pos"));
    position.gtid_binlog_pos = gtid.value_or("");
  }
  TRY_ASSIGN(position.replica, read_replica_status(connection, version));
  return position;
}

}  // namespace dbkeep::source::mysql
