// The logical dumper's components on a real MariaDB when the source changes under them: a
// table dropped after the snapshot started, and a worker connection killed mid-chunk. Each must
// be an error naming the table, and the unfinished backup must never be listed.

#include <gtest/gtest.h>

#include "dbkeep/repo/backup_session.hpp"
#include "dbkeep/source/mysql/logical/catalog.hpp"
#include "dbkeep/source/mysql/logical/chunk_dump.hpp"
#include "dbkeep/source/mysql/logical/chunk_source.hpp"
#include "dbkeep/source/mysql/row_stream.hpp"
#include "dbkeep/storage/fault_injecting_backend.hpp"
#include "dbkeep/storage/local_backend.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::source::mysql::logical {
namespace {

using test::contains;

// Repository owns its backend; this lends it one the test keeps (the fault injector).
class ForwardingBackend final : public storage::Backend {
 public:
  explicit ForwardingBackend(storage::Backend& target) : target_(target) {}
  Result<std::unique_ptr<storage::Writer>> create(std::string_view key) override {
    return target_.create(key);
  }
  Result<std::unique_ptr<storage::Reader>> open(std::string_view key) override {
    return target_.open(key);
  }
  Result<bool> exists(std::string_view key) override { return target_.exists(key); }
  Result<std::vector<storage::ObjectInfo>> list(std::string_view prefix) override {
    return target_.list(prefix);
  }
  Result<std::vector<std::string>> list_children(std::string_view prefix) override {
    return target_.list_children(prefix);
  }
  Result<void> remove(std::string_view key) override { return target_.remove(key); }
  Result<void> remove_prefix(std::string_view prefix) override {
    return target_.remove_prefix(prefix);
  }
  Result<std::optional<std::uint64_t>> free_bytes() override { return target_.free_bytes(); }
  [[nodiscard]] std::string describe() const override { return target_.describe(); }

 private:
  storage::Backend& target_;
};

class MysqlLogicalFailureTest : public test::MariaDbTestSuite {
 protected:
  void SetUp() override {
    MariaDbTestSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    repository_ =
        std::make_unique<repo::Repository>(std::make_unique<storage::LocalBackend>(dir_.path()));
  }

  std::unique_ptr<repo::BackupSession> session() {
    repo::Manifest draft;
    draft.id = "20260101T000000Z";
    draft.set = "db";
    draft.source = core::SourceKind::kMysql;
    draft.method = core::Method::kLogical;
    return std::make_unique<repo::BackupSession>(*repository_, draft, repo::SessionOptions{});
  }

  // A worker connection inside its consistent snapshot, as the dumper opens them.
  Connection snapshot_worker() {
    auto worker = server().connect_root();
    EXPECT_TRUE(worker);
    EXPECT_TRUE(worker->execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"));
    return std::move(*worker);
  }

  const TableInfo& table_named(const Catalog& catalog, const std::string& name) {
    for (const auto& table : catalog.tables) {
      if (table.name == name) return table;
    }
    throw std::runtime_error("no table " + name);
  }

  core::TempDir dir_ = test::make_temp_dir();
  std::unique_ptr<repo::Repository> repository_;
};

TEST_F(MysqlLogicalFailureTest, TableDroppedAfterTheSnapshotIsAnErrorNamingIt) {
  server().execute("CREATE DATABASE IF NOT EXISTS f1");
  server().execute("CREATE TABLE f1.doomed (id INT PRIMARY KEY, v INT)");
  server().execute("INSERT INTO f1.doomed SELECT seq, seq FROM f1.seq_1_to_100");
  auto control = server().connect_root();
  ASSERT_TRUE(control);
  auto catalog = read_catalog(*control, TableFilter{{"f1"}, {}});
  ASSERT_TRUE(catalog) << catalog.error().message;
  auto worker = snapshot_worker();
  server().execute("DROP TABLE f1.doomed");

  auto planned = plan_chunks(*control, table_named(*catalog, "doomed"), 64 << 20);
  ASSERT_TRUE(planned);
  {
    auto backup = session();
    auto dumped = dump_chunk(worker, planned->front(), *backup);
    ASSERT_FALSE(dumped) << "a dropped table was dumped without error";
    EXPECT_TRUE(contains(dumped.error().message, "`f1`.`doomed`")) << dumped.error().message;
  }
  auto listed = repository_->list();
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->backups.empty());
}

TEST_F(MysqlLogicalFailureTest, ConnectionKilledMidChunkIsAnErrorNotAShortChunk) {
  server().execute("CREATE DATABASE IF NOT EXISTS f2");
  server().execute("CREATE TABLE IF NOT EXISTS f2.large (id INT PRIMARY KEY, pad CHAR(200))");
  server().execute("REPLACE INTO f2.large SELECT seq, REPEAT('x', 200) FROM f2.seq_1_to_200000");
  auto worker = snapshot_worker();
  auto rows = RowStream::open(worker, "SELECT id, pad FROM f2.large");
  ASSERT_TRUE(rows) << rows.error().message;
  ChunkSqlSource source(*rows, "large", kStatementBytes);
  std::vector<std::byte> buffer(64 * 1024);
  ASSERT_TRUE(source.read(buffer));  // the stream is running: the server is sending rows
  server().execute("KILL " + std::to_string(worker.thread_id()));

  // 40 MB of rows cannot all sit in socket buffers, so reading on must hit the cut.
  Result<std::size_t> read = 1;
  while (read && *read > 0) read = source.read(buffer);
  ASSERT_FALSE(read) << "the chunk ended cleanly after " << source.rows()
                     << " rows although its connection was killed";
  EXPECT_LT(source.rows(), 200000U);
}

TEST_F(MysqlLogicalFailureTest, FullRepositoryDiskFailsTheChunkAndListsNothing) {
  server().execute("CREATE DATABASE IF NOT EXISTS f3");
  server().execute("CREATE TABLE IF NOT EXISTS f3.t (id INT PRIMARY KEY, pad CHAR(100))");
  server().execute("REPLACE INTO f3.t SELECT seq, MD5(seq) FROM f3.seq_1_to_20000");
  auto control = server().connect_root();
  ASSERT_TRUE(control);
  auto catalog = read_catalog(*control, TableFilter{{"f3"}, {}});
  ASSERT_TRUE(catalog) << catalog.error().message;
  auto planned = plan_chunks(*control, table_named(*catalog, "t"), 64 << 20);
  ASSERT_TRUE(planned);

  storage::LocalBackend disk(dir_.path());
  storage::FaultInjectingBackend full(disk);
  full.set_plan({.no_space_after_bytes = 4096});
  repo::Repository repository(std::make_unique<ForwardingBackend>(full));
  auto worker = snapshot_worker();
  {
    repo::Manifest draft;
    draft.id = "20260101T000000Z";
    draft.set = "db";
    draft.method = core::Method::kLogical;
    repo::BackupSession backup(repository, draft, repo::SessionOptions{});
    auto dumped = dump_chunk(worker, planned->front(), backup);
    ASSERT_FALSE(dumped);
    EXPECT_TRUE(contains(dumped.error().message, "`f3`.`t`")) << dumped.error().message;
  }
  auto listed = repository.list();
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->backups.empty());
}

}  // namespace
}  // namespace dbkeep::source::mysql::logical
