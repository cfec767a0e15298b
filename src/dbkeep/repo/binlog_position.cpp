#include "dbkeep/repo/binlog_position.hpp"

namespace dbkeep::repo {
namespace {

using nlohmann::json;

std::string string_at(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

template <typename Number>
Number number_at(const json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end() || !found->is_number_integer()) return Number{0};
  if (!found->is_number_unsigned() && found->get<std::int64_t>() < 0) return Number{0};
  return found->get<Number>();
}

std::int64_t signed_at(const json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0;
}

ReplicationPosition from_binlog_object(const json& binlog) {
  ReplicationPosition position;
  position.binlog_file = string_at(binlog, "file");
  position.binlog_position = number_at<std::uint64_t>(binlog, "position");
  position.gtid_binlog_pos = string_at(binlog, "gtid_binlog_pos");
  position.gtid_executed = string_at(binlog, "gtid_executed");
  position.server_id = number_at<std::uint32_t>(binlog, "server_id");
  position.server_uuid = string_at(binlog, "server_uuid");
  if (auto replica = binlog.find("replica"); replica != binlog.end() && replica->is_object()) {
    ReplicaStatus status;
    status.source_host = string_at(*replica, "source_host");
    status.source_port = number_at<unsigned>(*replica, "source_port");
    status.relay_source_log_file = string_at(*replica, "source_log_file");
    status.exec_source_log_pos = number_at<std::uint64_t>(*replica, "source_log_position");
    status.gtid_slave_pos = string_at(*replica, "gtid_slave_pos");
    status.executed_gtid_set = string_at(*replica, "executed_gtid_set");
    position.replica = status;
  }
  return position;
}

// Logical backups before the common record: "position": {"binlog_file", "binlog_position", …}.
ReplicationPosition from_old_logical(const json& old) {
  ReplicationPosition position;
  position.binlog_file = string_at(old, "binlog_file");
  position.binlog_position = number_at<std::uint64_t>(old, "binlog_position");
  position.gtid_binlog_pos = string_at(old, "gtid_binlog_pos");
  position.gtid_executed = string_at(old, "gtid_executed");
  position.server_id = number_at<std::uint32_t>(old, "server_id");
  return position;
}

// Physical backups before the common record: xtrabackup_info's binlog_pos as top-level facts;
// "gtid" was MariaDB's "GTID of the last change", i.e. its gtid_binlog_pos.
ReplicationPosition from_old_physical(const json& facts) {
  ReplicationPosition position;
  position.binlog_file = string_at(facts, "binlog_file");
  position.binlog_position = number_at<std::uint64_t>(facts, "binlog_position");
  position.gtid_binlog_pos = string_at(facts, "gtid");
  return position;
}

}  // namespace

void record_binlog_position(json& facts, const ReplicationPosition& position) {
  json binlog = {{"file", position.binlog_file},
                 {"position", position.binlog_position},
                 {"gtid_binlog_pos", position.gtid_binlog_pos},
                 {"gtid_executed", position.gtid_executed},
                 {"server_id", position.server_id},
                 {"server_uuid", position.server_uuid}};
  if (position.replica) {
    const auto& replica = *position.replica;
    binlog["replica"] = {{"source_host", replica.source_host},
                         {"source_port", replica.source_port},
                         {"source_log_file", replica.relay_source_log_file},
                         {"source_log_position", replica.exec_source_log_pos},
                         {"gtid_slave_pos", replica.gtid_slave_pos},
                         {"executed_gtid_set", replica.executed_gtid_set}};
  }
  facts["binlog"] = std::move(binlog);
}

void record_lock_window(json& facts, const LockWindow& window) {
  json& lock = facts["lock"];
  if (!lock.is_object()) lock = json::object();
  lock["mode"] = std::string(core::to_string(window.mode));
  lock["held_ms"] = window.held_ms;
  lock["held_us"] = window.held_us;
  facts["lock_held_ms"] = window.held_ms;
}

std::optional<ReplicationPosition> read_binlog_position(const Manifest& manifest) {
  const json& facts = manifest.facts;
  if (!facts.is_object()) return std::nullopt;
  if (auto binlog = facts.find("binlog"); binlog != facts.end() && binlog->is_object()) {
    return from_binlog_object(*binlog);
  }
  if (auto old = facts.find("position"); old != facts.end() && old->is_object()) {
    return from_old_logical(*old);
  }
  if (facts.contains("binlog_file")) return from_old_physical(facts);
  return std::nullopt;
}

std::optional<LockWindow> read_lock_window(const Manifest& manifest) {
  const json& facts = manifest.facts;
  if (!facts.is_object()) return std::nullopt;
  LockWindow window;
  if (auto lock = facts.find("lock"); lock != facts.end() && lock->is_object()) {
    window.mode = core::parse_lock_mode(string_at(*lock, "mode")).value_or(window.mode);
    window.held_ms = signed_at(*lock, "held_ms");
    window.held_us = signed_at(*lock, "held_us");
    return window;
  }
  if (!facts.contains("lock_held_ms")) return std::nullopt;
  // Logical backups before the common record: "lock_mode" and "lock_held_ms".
  window.mode = core::parse_lock_mode(string_at(facts, "lock_mode")).value_or(window.mode);
  window.held_ms = signed_at(facts, "lock_held_ms");
  return window;
}

}  // namespace dbkeep::repo
