#pragma once
// Shared set-up for the physical-method integration tests: a workspace (config, repository,
// password file, log) pointing a "db" set with method "physical" at a running MariaDbServer as a
// password user, a PATH directory for wrapping the backup tool, and a server started on a
// restored datadir.

#include <filesystem>
#include <memory>
#include <string>

#include "dbkeep/core/child_process.hpp"
#include "support/cli_workspace.hpp"
#include "support/mariadb_server.hpp"

namespace dbkeep::test {

inline constexpr const char* kPhysicalUser = "physbackup";
inline constexpr const char* kPhysicalPassword = "Phys-s3cret-7f2a";

class PhysicalWorkspace : public CliWorkspace {
 public:
  // Creates the backup user on `server` and writes the config; `extra_physical` goes into the
  // [set.physical] table (e.g. "type = \"incremental\"\n").
  explicit PhysicalWorkspace(const MariaDbServer& server, const std::string& extra_physical = "");

  [[nodiscard]] std::filesystem::path bin() const { return dir() / "bin"; }
  [[nodiscard]] std::string log_text() const;

  // Puts an executable `mariabackup` script with `body` (after "#!/bin/sh") first in PATH for
  // the runs below; the real tool stays reachable as /usr/bin/mariabackup. `--version` always
  // runs the real tool (dbkeep checks the version before every backup).
  void wrap_tool(const std::string& body);
  // Replaces PATH entirely (for "tool missing").
  void set_path(const std::string& path) { set_env("PATH", path); }
};

// mariadbd on a restored datadir: own socket, no networking, no option files. Stopped cleanly
// (SIGTERM) on destruction.
class RestoredMariaDb {
 public:
  static Result<std::unique_ptr<RestoredMariaDb>> start(const std::filesystem::path& datadir,
                                                        const std::filesystem::path& runtime_dir);
  ~RestoredMariaDb();
  [[nodiscard]] Result<source::mysql::Connection> connect() const;
  [[nodiscard]] std::string error_log_tail() const;

 private:
  RestoredMariaDb() = default;
  std::filesystem::path socket_, error_log_;
  std::optional<core::ChildProcess> process_;
};

}  // namespace dbkeep::test
