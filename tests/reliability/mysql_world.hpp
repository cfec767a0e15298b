#pragma once
// One MariaDB server on a btrfs loop volume for the whole reliability binary (starting one takes
// seconds): the snapshot workspace's server, with a database `app` of test data, a password user
// `backup` whose password is in a 0600 password_file, and configs for a snapshot and a logical
// set. Created on first use, released by the summary environment.

#include <filesystem>
#include <string>

#include "support/snapshot_workspace.hpp"

namespace dbkeep::test::reliability {

class MysqlWorld {
 public:
  // The world, or nullptr with `reason` set when MariaDB or btrfs cannot run here.
  static MysqlWorld* get(std::string& reason);
  static void release();

  SnapshotWorkspace& workspace() { return *workspace_; }
  MariaDbServer& server() { return workspace_->server(); }
  static constexpr const char* kPassword = "Rel-pw-7f3c9a1e5b";

  // Writes <name>.toml for one set `name` of `method` (snapshot: the btrfs volume), connecting
  // as `backup` with password_file (or, without it, from DBKEEP_SET_<NAME>_MYSQL_PASSWORD);
  // `extra_set_keys` goes into the [[set]] table.
  std::filesystem::path write_config(const std::string& name, const std::string& method,
                                     const std::string& extra_set_keys = "",
                                     bool password_file_in_config = true) const;
  std::filesystem::path state_dir() const { return workspace_->repository() / ".state"; }
  std::filesystem::path password_file() const { return workspace_->dir() / "mysql.pw"; }

  // True when a write from another connection succeeds within a few seconds: no backup left a
  // global read lock behind.
  bool server_writable();

 private:
  std::unique_ptr<SnapshotWorkspace> workspace_;
};

}  // namespace dbkeep::test::reliability
