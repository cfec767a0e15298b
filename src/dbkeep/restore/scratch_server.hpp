#pragma once
// A throwaway MySQL/MariaDB server for restore drills (`verify --restore-test`) and `dbkeep
// open` (read-only, on a socket the user may choose): started on a
// scratch datadir as our own child, with its own socket and runtime files under `runtime_dir`,
// no networking, no option files, --skip-grant-tables (any local client is root), a small
// buffer pool and no replication start. Destroying it kills it at once (SIGKILL) and reaps
// it: its datadir is thrown away, so a clean shutdown would only cost time.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::restore {

// The server binary to run: `configured` (a path, or a name looked up in PATH) when set, else
// the first of mariadbd and mysqld found in PATH, /usr/sbin, /usr/libexec, /usr/local/mysql/bin.
// A kUsage error says what was looked for and how to fix it.
Result<std::filesystem::path> find_server_binary(const std::string& configured);

// mariadb-install-db (or mysql_install_db) next to `server` or in PATH.
Result<std::filesystem::path> find_install_db_binary(const std::filesystem::path& server);

struct ScratchServerOptions {
  std::filesystem::path binary;
  std::filesystem::path datadir;      // readable and writable by `owner`
  std::filesystem::path runtime_dir;  // created; socket, pid file, error log
  std::string owner = "mysql";        // the account the server runs as (core::server_user)
  std::string log_bin;                // as the backup had it (snapshot restores), or empty
  // Where the socket goes; empty: <runtime_dir>/mysqld.sock. Its directory must be writable by
  // `owner`; the socket (and the server's <socket>.lock) is removed when the server goes.
  std::filesystem::path socket;
  // Refuses every change to InnoDB data whoever asks (--innodb-read-only, and --read-only for
  // what that covers). InnoDB then runs no crash recovery: start read-only only on a datadir a
  // server was shut down on cleanly (`dbkeep open` starts, loads, shuts down, then restarts).
  bool read_only = false;
  std::chrono::seconds timeout{600};
};

class ScratchServer {
 public:
  // Starts the server and waits until it answers (crash recovery included).
  static Result<std::unique_ptr<ScratchServer>> start(const ScratchServerOptions& options);
  ~ScratchServer();
  ScratchServer(const ScratchServer&) = delete;
  ScratchServer& operator=(const ScratchServer&) = delete;

  [[nodiscard]] source::mysql::ConnectionOptions connection_options() const;
  [[nodiscard]] Result<source::mysql::Connection> connect() const;
  [[nodiscard]] const std::filesystem::path& error_log() const { return error_log_; }
  [[nodiscard]] const std::filesystem::path& socket() const { return socket_; }
  [[nodiscard]] pid_t pid() const { return process_ ? process_->pid() : -1; }
  // Stops the server cleanly (SHUTDOWN, then waits for the process), for a datadir that is
  // kept: a point-in-time restore replays into it and hands it over afterwards.
  Result<void> shutdown();
  // How the process ended, once it has ("exit code 1", "signal 11"); nullopt while it runs.
  [[nodiscard]] std::optional<std::string> exited() const;

 private:
  ScratchServer() = default;
  std::filesystem::path socket_, error_log_;
  std::optional<core::ChildProcess> process_;
};

}  // namespace dbkeep::restore
