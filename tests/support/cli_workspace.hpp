#pragma once
// A temporary directory holding a dbkeep config (dir()/dbkeep.toml) and whatever the test puts
// next to it, with the helpers that drive the real binary against that config. The workspaces
// of the end-to-end tests (SQLite, snapshot, physical, …) derive from it; a fixture can also
// hold one and write the config itself.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbkeep/core/temp_dir.hpp"
#include "support/run_dbkeep.hpp"

namespace dbkeep::test {

class CliWorkspace {
 public:
  // A fresh directory named `prefix`XXXXXX in `parent` (default: $TMPDIR or /tmp).
  explicit CliWorkspace(const std::string& prefix = "dbkeep-test-",
                        const std::filesystem::path& parent = {});

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  [[nodiscard]] std::filesystem::path config() const { return dir() / "dbkeep.toml"; }

  // `dbkeep --config config() args…`; `env` adds to (and overrides) set_env()'s variables.
  DbkeepRun dbkeep(std::vector<std::string> args,
                   const std::map<std::string, std::string>& env = {}) const;
  // The same with --json: an exit status other than `expected_exit`, or stdout that is not
  // exactly one JSON document, fails the test naming the command, its status and output
  // (and yields an empty object).
  nlohmann::json dbkeep_json(std::vector<std::string> args, int expected_exit = 0) const;
  // Ids of listed backups, newest first.
  [[nodiscard]] std::vector<std::string> listed_ids() const;

  // An environment variable for every later run (e.g. PATH with a wrapped tool first).
  void set_env(const std::string& name, const std::string& value) { env_[name] = value; }

 private:
  core::TempDir dir_;
  std::map<std::string, std::string> env_;
};

}  // namespace dbkeep::test
