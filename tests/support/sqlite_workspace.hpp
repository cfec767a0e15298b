#pragma once
// A throwaway workspace for end-to-end SQLite tests: a temp directory holding a database, a
// repository and a dbkeep config pointing at them, plus helpers to drive the real binary.

#include <filesystem>
#include <string>

#include "support/cli_workspace.hpp"

namespace dbkeep::test {

class SqliteWorkspace : public CliWorkspace {
 public:
  // `extra_set_config` is appended to the [[set]] table (e.g. "compression_level = 19\n").
  explicit SqliteWorkspace(const std::string& extra_set_config = "",
                           const std::filesystem::path& repository = {});

  std::filesystem::path database() const { return dir() / "app.db"; }
  std::filesystem::path repository() const { return repository_; }
  std::filesystem::path temp() const { return dir() / "tmp"; }

  // Runs `sql` against the workspace database (creating it if needed); fails the test on error.
  void sql(const std::string& statement) const;
  std::string query(const std::string& statement) const;
  // Creates table t(id INTEGER PRIMARY KEY, payload BLOB) with `rows` rows of `bytes` random bytes.
  void fill(int rows, int bytes, bool wal) const;

 private:
  std::filesystem::path repository_;
};

}  // namespace dbkeep::test
