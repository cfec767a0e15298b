#include "support/sqlite_workspace.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "dbkeep/source/sqlite/sqlite_database.hpp"

namespace dbkeep::test {

using source::sqlite::SqliteDatabase;

SqliteWorkspace::SqliteWorkspace(const std::string& extra_set_config,
                                 const std::filesystem::path& repository)
    : dir_(*core::TempDir::create(std::filesystem::temp_directory_path(), "dbkeep-test-")),
      repository_(repository.empty() ? dir_.path() / "repo" : repository) {
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

DbkeepRun SqliteWorkspace::dbkeep(std::vector<std::string> args,
                                  const std::map<std::string, std::string>& env) const {
  args.insert(args.begin(), {"--config", config().string()});
  return run_dbkeep(args, env);
}

nlohmann::json SqliteWorkspace::dbkeep_json(std::vector<std::string> args,
                                            int expected_exit) const {
  args.insert(args.begin(), "--json");
  auto run = dbkeep(args);
  EXPECT_EQ(run.exit_code, expected_exit) << run.stderr_text << run.stdout_text;
  auto document = nlohmann::json::parse(run.stdout_text, nullptr, false);
  if (document.is_discarded()) {
    ADD_FAILURE() << "stdout is not JSON: " << run.stdout_text;
    return nlohmann::json::object();
  }
  return document;
}

std::vector<std::string> SqliteWorkspace::listed_ids() const {
  std::vector<std::string> ids;
  auto listing = dbkeep_json({"list"});  // must outlive the loop
  for (const auto& backup : listing["backups"]) {
    ids.push_back(backup["id"].get<std::string>());
  }
  return ids;
}

}  // namespace dbkeep::test
