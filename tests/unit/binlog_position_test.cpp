#include "dbkeep/repo/binlog_position.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dbkeep::repo {
namespace {

using nlohmann::json;

// A MySQL manifest with `facts`, sealed and parsed back as a repository would read it.
Manifest manifest_with(core::Method method, json facts) {
  Manifest draft;
  draft.id = "20261201_020000";
  draft.set = "main";
  draft.method = method;
  draft.source = core::SourceKind::kMysql;
  draft.facts = std::move(facts);
  auto parsed = parse_manifest(serialize_manifest(draft), "test");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed.value_or(Manifest{});
}

// What each method of dbkeep 0.1.0 (before the common record) wrote into its facts.
TEST(BinlogPositionTest, ReadsTheSnapshotShapeOfTheLastRelease) {
  auto manifest = manifest_with(core::Method::kSnapshot, json::parse(R"({"layout": "datadir",
        "binlog": {"file": "mysql-bin.000042", "position": 1234, "gtid_binlog_pos": "0-1-99",
                   "gtid_executed": "", "server_id": 7, "server_uuid": "",
                   "replica": {"source_host": "10.0.0.1", "source_port": 3306,
                               "source_log_file": "src-bin.000003", "source_log_position": 555,
                               "gtid_slave_pos": "0-2-10", "executed_gtid_set": ""}},
        "lock": {"mode": "backup_stage", "held_ms": 13, "held_us": 12345, "wait_ms": 0,
                 "attempts": 1},
        "lock_held_ms": 13})"));
  auto position = read_binlog_position(manifest);
  ASSERT_TRUE(position);
  EXPECT_EQ(position->binlog_file, "mysql-bin.000042");
  EXPECT_EQ(position->binlog_position, 1234U);
  EXPECT_EQ(position->gtid_binlog_pos, "0-1-99");
  EXPECT_EQ(position->server_id, 7U);
  ASSERT_TRUE(position->replica);
  EXPECT_EQ(position->replica->source_host, "10.0.0.1");
  EXPECT_EQ(position->replica->relay_source_log_file, "src-bin.000003");
  EXPECT_EQ(position->replica->exec_source_log_pos, 555U);
  EXPECT_EQ(position->replica->gtid_slave_pos, "0-2-10");
  auto lock = read_lock_window(manifest);
  ASSERT_TRUE(lock);
  EXPECT_EQ(*lock, (LockWindow{core::LockMode::kBackupStage, 13, 12345}));
}

TEST(BinlogPositionTest, ReadsTheLogicalShapeOfTheLastRelease) {
  auto manifest = manifest_with(core::Method::kLogical, json::parse(R"({
        "lock_mode": "ftwrl", "lock_held_ms": 4,
        "position": {"binlog_file": "mysql-bin.000002", "binlog_position": 328,
                     "gtid_binlog_pos": "0-1-5", "gtid_executed": "", "server_id": 1},
        "workers": 2, "rows": 10})"));
  auto position = read_binlog_position(manifest);
  ASSERT_TRUE(position);
  EXPECT_EQ(*position, (ReplicationPosition{.binlog_file = "mysql-bin.000002",
                                            .binlog_position = 328,
                                            .gtid_binlog_pos = "0-1-5",
                                            .server_id = 1}));
  auto lock = read_lock_window(manifest);
  ASSERT_TRUE(lock);
  EXPECT_EQ(*lock, (LockWindow{core::LockMode::kFlushTablesWithReadLock, 4, 0}));
}

TEST(BinlogPositionTest, ReadsThePhysicalShapeOfTheLastRelease) {
  auto manifest = manifest_with(core::Method::kPhysical, json::parse(R"({
        "tool": "mariabackup", "backup_type": "full", "from_lsn": 0, "to_lsn": 99,
        "binlog_file": "mysql-bin.000003", "binlog_position": 385, "gtid": "0-1-7"})"));
  auto position = read_binlog_position(manifest);
  ASSERT_TRUE(position);
  EXPECT_EQ(position->binlog_file, "mysql-bin.000003");
  EXPECT_EQ(position->binlog_position, 385U);
  EXPECT_EQ(position->gtid_binlog_pos, "0-1-7") << "MariaDB's GTID of the last change";
  EXPECT_FALSE(read_lock_window(manifest)) << "mariabackup takes its own locks";
}

TEST(BinlogPositionTest, EveryMethodNowWritesOneShapeThatReadsBack) {
  ReplicationPosition position{.binlog_file = "binlog.000009",
                               .binlog_position = 4,
                               .gtid_executed = "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5",
                               .server_id = 3,
                               .server_uuid = "3E11FA47-71CA-11E1-9E33-C80AA9429562"};
  position.replica = ReplicaStatus{.source_host = "db1", .source_port = 3307};
  for (auto method : {core::Method::kSnapshot, core::Method::kLogical, core::Method::kPhysical}) {
    json facts = json::object();
    record_binlog_position(facts, position);
    record_lock_window(facts, {core::LockMode::kFlushTablesWithReadLock, 2, 1500});
    auto manifest = manifest_with(method, facts);
    EXPECT_EQ(read_binlog_position(manifest), position) << core::to_string(method);
    EXPECT_EQ(read_lock_window(manifest),
              (LockWindow{core::LockMode::kFlushTablesWithReadLock, 2, 1500}));
    EXPECT_EQ(manifest.facts["lock_held_ms"], 2) << "metrics and bench read this figure";
  }
}

TEST(BinlogPositionTest, BinaryLoggingOffIsAnEmptyPositionAndSqliteHasNone) {
  json facts = json::object();
  record_binlog_position(facts, ReplicationPosition{});
  auto off = read_binlog_position(manifest_with(core::Method::kSnapshot, facts));
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->has_binlog());

  Manifest sqlite;
  sqlite.facts = json::parse(R"({"tables": {"t": 3}})");
  EXPECT_FALSE(read_binlog_position(sqlite));
  EXPECT_FALSE(read_lock_window(sqlite));
}

}  // namespace
}  // namespace dbkeep::repo
