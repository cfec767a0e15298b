// Loading a data chunk against a real MariaDB when InnoDB rolls it back as a deadlock victim.
// The two parallel loaders of one table can meet like this in neighbouring key ranges (the
// round-trip test hit it in CI); here the deadlock is built on purpose, step by step.

#include "dbkeep/restore/logical/chunk_loader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/storage/memory_backend.hpp"
#include "support/byte_streams.hpp"
#include "support/mariadb_test_suite.hpp"

namespace dbkeep::restore::logical {
namespace {

using namespace std::chrono_literals;
using source::mysql::Connection;

class ChunkLoaderTest : public test::MariaDbTestSuite {
 protected:
  Connection connect() {
    auto connection = server().connect_root();
    EXPECT_TRUE(connection) << connection.error().message;
    return std::move(*connection);
  }
  void run(Connection& connection, const std::string& sql) {
    auto done = connection.execute(sql);
    ASSERT_TRUE(done) << sql << ": " << done.error().message;
  }
  std::string value(Connection& connection, const std::string& sql) {
    auto result = connection.query_single_value(sql);
    EXPECT_TRUE(result) << sql << ": " << (result ? "" : result.error().message);
    return result && *result ? **result : "NULL";
  }
};

TEST_F(ChunkLoaderTest, ChunkRolledBackAsADeadlockVictimIsLoadedAgain) {
  auto admin = connect();
  run(admin, "CREATE DATABASE deadlock_victim");
  run(admin, "CREATE TABLE deadlock_victim.t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
  run(admin, "INSERT INTO deadlock_victim.t VALUES (1, 0), (15, 0), (100, 0)");
  run(admin, "CREATE TABLE deadlock_victim.heavy (id INT PRIMARY KEY, v INT) ENGINE=InnoDB");
  run(admin, "USE deadlock_victim");
  run(admin, "INSERT INTO heavy SELECT seq, 0 FROM seq_1_to_2000");

  // The chunk inserts 10 (gap 1..15), then 20 (gap 15..100).
  storage::MemoryBackend backend;
  test::StringSource text("INSERT INTO t VALUES (10,1);\nINSERT INTO t VALUES (20,1);\n");
  auto stored = pipeline::store_stream(text, backend, "deadlock_victim/t.00001.sql",
                                       "set/1/deadlock_victim/t.00001.sql.zst",
                                       {pipeline::Codec::kZstd, 1, 0});
  ASSERT_TRUE(stored) << stored.error().message;
  repo::ManifestFile file{*stored, {}};
  std::vector<ChunkLoad> chunks{{&file, "deadlock_victim", "t", false}};
  std::vector<Connection> loaders;
  loaders.push_back(connect());
  ASSERT_TRUE(prepare_load_session(loaders.front(), /*skip_binlog=*/true));

  // Another transaction, heavier (2000 changed rows) so InnoDB picks the loader as the victim,
  // holds the gap 15..100 the chunk's second row needs.
  auto other = connect();
  run(other, "START TRANSACTION");
  run(other, "UPDATE deadlock_victim.heavy SET v = v + 1");
  ASSERT_EQ(value(other, "SELECT COUNT(*) FROM deadlock_victim.t WHERE id = 20 FOR UPDATE"), "0");

  Result<void> loaded = fail("not run");
  std::thread loader([&] { loaded = load_chunks_parallel(backend, loaders, chunks); });
  // Wait until the loader holds row 10 and waits for the gap (INNODB_TRX does not list a
  // transaction that has only inserted, so the processlist tells).
  const std::string waiting = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " +
                              std::to_string(loaders.front().thread_id()) +
                              " AND INFO LIKE 'INSERT INTO t VALUES (20,%'";
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (value(admin, waiting) != "1" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  // Closing the cycle: the other transaction asks for row 10 (whether the loader's INSERT already
  // waits for the gap or is about to, InnoDB sees the cycle). InnoDB rolls the loader back,
  // which releases row 10 (gone again) to the other transaction.
  EXPECT_EQ(value(other, "SELECT COUNT(*) FROM deadlock_victim.t WHERE id = 10 FOR UPDATE"), "0");
  run(other, "ROLLBACK");
  loader.join();

  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(value(admin, "SELECT GROUP_CONCAT(id ORDER BY id) FROM deadlock_victim.t"),
            "1,10,15,20,100");
  EXPECT_EQ(value(admin, "SELECT SUM(v) FROM deadlock_victim.t"), "2");
  run(admin, "DROP DATABASE deadlock_victim");
}

}  // namespace
}  // namespace dbkeep::restore::logical
