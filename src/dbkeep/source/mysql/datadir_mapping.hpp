#pragma once
// A server in a container reports its paths as the container sees them (@@datadir is
// /var/lib/mysql) while this host reaches the same files through the volume's host path
// ([set.mysql] datadir = "/srv/app/mysql-data"). The snapshot and physical methods read files,
// so they first rebase the server's paths onto the host path, then check that the files there
// really are the server's — before any lock is taken.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"

namespace dbkeep::source::mysql {

// Rebases every path in `facts` that lies below the server's datadir (the InnoDB directories,
// the binary log, tablespaces) onto `host_datadir`; facts.server_datadir keeps what the server
// said. An InnoDB directory or a DATA DIRECTORY tablespace outside the server's datadir has no
// known host path: a usage error names it. A binary log outside it is left as the server says
// (backups do not read it).
Result<void> map_to_host_datadir(ServerFacts& facts, const std::filesystem::path& host_datadir);

// Checks that facts.datadir holds this server's files: the directory exists, the InnoDB system
// tablespace (innodb_data_file_path) is there, MariaDB's aria_log_control is there, and so is
// every tablespace file the server listed (tablespace_files_in_datadir). A usage error lists
// what is missing and, when the server's datadir is not visible here, says to set
// [set.mysql] datadir.
Result<void> check_datadir_files(const ServerFacts& facts);

// `argv` run in a private mount namespace (unshare --mount) in which `from` is bind-mounted at
// `at`: that process tree sees `from`'s files at `at`, nobody else does. unshare execs sh and sh
// execs argv[0], so the child's pid is the program's and signals reach it. Needs root.
std::vector<std::string> with_bind_mount(const std::filesystem::path& from,
                                         const std::filesystem::path& at,
                                         std::vector<std::string> argv);

// Runs a tool where the server's own datadir path shows the files of [set.mysql] datadir:
// mariabackup and xtrabackup take the datadir from the server (SHOW VARIABLES) and ignore
// --datadir, so for a server in a container they run in a private mount namespace (unshare)
// with the host path bind-mounted at the server's path. Nothing changes for the host's mounts;
// a mount point missing here is created and removed again (when still empty) on destruction.
// Needs root (CAP_SYS_ADMIN), checked by prepare(). Without a mapping, wrap() returns argv.
class ServerDatadirView {
 public:
  static Result<ServerDatadirView> prepare(const ServerFacts& facts);
  ServerDatadirView(ServerDatadirView&& other) noexcept;
  ServerDatadirView& operator=(ServerDatadirView&&) = delete;
  ~ServerDatadirView();

  [[nodiscard]] std::vector<std::string> wrap(std::vector<std::string> argv) const;

 private:
  ServerDatadirView() = default;
  std::filesystem::path host_, server_;
  std::vector<std::filesystem::path> created_;  // deepest first
};

// probe_server(), then map_to_host_datadir() when `host_datadir` is set, then
// check_datadir_files(): what the snapshot and physical methods and check-config use.
Result<ServerFacts> probe_server_files(Connection& connection,
                                       const std::optional<std::filesystem::path>& host_datadir);

}  // namespace dbkeep::source::mysql
