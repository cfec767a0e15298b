#include "support/sqlite_workspace.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "dbkeep/source/sqlite/sqlite_database.hpp"

namespace dbkeep::test {

using source::sqlite::SqliteDatabase;

SqliteWorkspace::SqliteWorkspace(const std::string& extra_set_config,
                                 const std::filesystem::path& repository)
    : repository_(repository.empty() ? dir() / "repo" : repository) {
  std::filesystem::create_directories(temp());
  std::ofstream out(config());
  out << "[repository]\npath = \"" << repository_.string() << "\"\n"
      << "state_dir = \"" << (dir() / "state").string() << "\"\n"
      << "temp_dir = \"" << temp().string() << "\"\n"
      << "[log]\nfile = \"" << (dir() / "dbkeep.log").string() << "\"\n"
      << "[[set]]\nname = \"app\"\nsource = \"sqlite\"\nmethod = \"online\"\n"
      << extra_set_config << "[set.sqlite]\npath = \"" << database().string() << "\"\n";
}

void SqliteWorkspace::sql(const std::string& statement) const {
  auto db = SqliteDatabase::open(database(), SqliteDatabase::Mode::kReadWriteCreate);
  ASSERT_TRUE(db) << db.error().message;
  auto done = db->execute(statement);
  ASSERT_TRUE(done) << done.error().message;
}

std::string SqliteWorkspace::query(const std::string& statement) const {
  auto db = SqliteDatabase::open(database(), SqliteDatabase::Mode::kReadOnly);
  if (!db) return "error: " + db.error().message;
  auto value = db->query_text(statement);
  return value ? *value : "error: " + value.error().message;
}

void SqliteWorkspace::fill(int rows, int bytes, bool wal) const {
  sql(std::string("PRAGMA journal_mode = ") + (wal ? "WAL" : "DELETE"));
  sql("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, payload BLOB)");
  sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
      std::to_string(rows) + ") INSERT INTO t (payload) SELECT randomblob(" +
      std::to_string(bytes) + ") FROM n");
}

}  // namespace dbkeep::test
