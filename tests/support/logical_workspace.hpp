#pragma once
// A logical set "db" over a running MariaDbServer (as root over its socket, zstd, two workers,
// 1 MiB chunks), with its own repository and a temp dir a scratch server (user mysql) can
// reach: the workspace of the logical restore drill and `dbkeep open` tests.

#include <filesystem>

#include "support/cli_workspace.hpp"
#include "support/mariadb_server.hpp"

namespace dbkeep::test {

class LogicalWorkspace : public CliWorkspace {
 public:
  explicit LogicalWorkspace(const MariaDbServer& server,
                            const std::string& prefix = "dbkeep-logical-");
  [[nodiscard]] std::filesystem::path temp() const { return dir() / "temp"; }
};

}  // namespace dbkeep::test
