#pragma once
// A throwaway workspace for end-to-end SQLite tests: a temp directory holding a database, a
// repository and a dbkeep config pointing at them, plus helpers to drive the real binary.

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbkeep/core/temp_dir.hpp"
#include "support/run_dbkeep.hpp"

namespace dbkeep::test {

class SqliteWorkspace {
 public:
  // `extra_set_config` is appended to the [[set]] table (e.g. "compression_level = 19\n").
  explicit SqliteWorkspace(const std::string& extra_set_config = "",
                           const std::filesystem::path& repository = {});

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path database() const { return dir() / "app.db"; }
  std::filesystem::path config() const { return dir() / "dbkeep.toml"; }
  std::filesystem::path repository() const { return repository_; }
  std::filesystem::path temp() const { return dir() / "tmp"; }

  // Runs `sql` against the workspace database (creating it if needed); fails the test on error.
  void sql(const std::string& statement) const;
  std::string query(const std::string& statement) const;
  // Creates table t(id INTEGER PRIMARY KEY, payload BLOB) with `rows` rows of `bytes` random bytes.
  void fill(int rows, int bytes, bool wal) const;

  DbkeepRun dbkeep(std::vector<std::string> args,
                   const std::map<std::string, std::string>& env = {}) const;
  // Runs with --json and parses stdout (empty object if it is not JSON).
  nlohmann::json dbkeep_json(std::vector<std::string> args, int expected_exit = 0) const;
  // Ids of listed backups, newest first.
  std::vector<std::string> listed_ids() const;

 private:
  core::TempDir dir_;
  std::filesystem::path repository_;
};

}  // namespace dbkeep::test
