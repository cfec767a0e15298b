#pragma once
// Starts a MySQL/MariaDB server on a freshly restored datadir, for `dbkeep restore --start`:
// its own runtime directory (socket, pid file, error log) under the system temp directory,
// no networking, no option files (so it cannot collide with a server already running here).
// The server runs detached in its own session and keeps running after dbkeep exits; start
// waits until it answers, which includes InnoDB crash recovery of the snapshot copy.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::restore {

struct RestoredServerOptions {
  std::filesystem::path datadir;
  std::string owner = "mysql";  // the account the server runs as (core::server_user)
  std::string binary = "mariadbd";
  // Basename of the binary log the backup recorded ("mysql-bin"), or empty. A snapshot can hold
  // transactions prepared in InnoDB whose commit decision is in the binary log: the server must
  // start with the same --log-bin so its crash recovery commits them (without it, mariadbd
  // refuses to start: "Found N prepared transactions").
  std::string log_bin;
  std::chrono::seconds timeout{600};  // crash recovery of a large datadir takes a while
};

struct RestoredServer {
  pid_t pid = 0;
  std::filesystem::path runtime_dir, socket, pid_file, error_log;
  std::chrono::milliseconds startup_time{0};
};

// The command line a user would run to start a server on `datadir` themselves.
std::vector<std::string> server_command(const RestoredServerOptions& options,
                                        const std::filesystem::path& runtime_dir);

// Polls `socket` until the server answers (an "Access denied" counts). `exited` returns how the
// process ended once it has (e.g. "exit code 1"), else nullopt. Fails with the error log's tail
// when the process ends or `timeout` passes, and with kCancelled on SIGINT/SIGTERM.
Result<void> wait_until_answers(const std::string& binary, pid_t pid,
                                const std::filesystem::path& socket,
                                const std::filesystem::path& error_log,
                                std::chrono::seconds timeout,
                                const std::function<std::optional<std::string>()>& exited);

// The last `lines` lines of a file, each indented by two spaces (for error messages).
std::string file_tail(const std::filesystem::path& file, std::size_t lines = 15);

Result<RestoredServer> start_restored_server(const RestoredServerOptions& options);

}  // namespace dbkeep::restore
