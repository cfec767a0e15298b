#pragma once
// A real MariaDB server for integration tests: Debian's `mariadbd` on a fresh temporary datadir,
// its own socket and a free loopback port, binary logging on (backups record positions).
// The destructor stops it and removes the temporary directory unless keep_data is set: a
// server whose data is discarded is killed at once; otherwise (keep_data or a custom datadir)
// it gets a clean shutdown (SIGTERM, SIGKILL after 30 s). The datadir starts as a copy of a
// mariadb-install-db template cached under /tmp per mariadbd build. Root connects over the socket
// (unix_socket auth), so tests must run as root; mariadb_missing_reason() says when they cannot.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::test {

struct MariaDbServerOptions {
  std::vector<std::string> extra_args;  // appended to mariadbd's command line
  // Datadir to use instead of <temp>/data (e.g. a btrfs subvolume). Must be empty or missing;
  // the fixture initialises it and chowns it to mysql. It is never removed by the fixture.
  std::optional<std::filesystem::path> datadir;
  // Start the server as a container does: in a private mount namespace where the datadir is
  // bind-mounted at this path (created empty here), so @@datadir names a path whose files this
  // host does not see there ([set.mysql] datadir). datadir() stays the host path.
  std::optional<std::filesystem::path> datadir_seen_as;
  bool keep_data = false;  // leave the temporary directory behind (for debugging)
  std::chrono::seconds start_timeout{60};
};

class MariaDbServer {
 public:
  // Initialises a datadir, starts the server and waits until it answers.
  static Result<std::unique_ptr<MariaDbServer>> start(MariaDbServerOptions options = {});
  ~MariaDbServer();
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;

  [[nodiscard]] const std::filesystem::path& socket() const { return socket_; }
  [[nodiscard]] unsigned port() const { return port_; }
  [[nodiscard]] const std::filesystem::path& datadir() const { return datadir_; }
  [[nodiscard]] const std::filesystem::path& error_log() const { return error_log_; }
  [[nodiscard]] std::chrono::milliseconds startup_time() const { return startup_time_; }

  // Connection settings for root over the socket, and for any user.
  [[nodiscard]] source::mysql::ConnectionOptions root_options() const;
  [[nodiscard]] source::mysql::ConnectionOptions options_for(const std::string& user,
                                                             const std::string& password) const;
  [[nodiscard]] Result<source::mysql::Connection> connect_root() const;

  // For test set-up: run SQL as root; throw std::runtime_error on failure, so a broken fixture
  // fails the test loudly (GoogleTest reports uncaught exceptions as failures).
  void execute(const std::string& sql) const;
  [[nodiscard]] source::mysql::QueryResult query(const std::string& sql) const;
  [[nodiscard]] std::optional<std::string> query_value(const std::string& sql) const;

  // Creates 'user'@'localhost' and 'user'@'127.0.0.1' with the grants a backup needs
  // (RELOAD, LOCK TABLES, PROCESS, REPLICATION CLIENT, BINLOG MONITOR, SELECT, SHOW VIEW,
  // EVENT, TRIGGER, CONNECTION ADMIN for killing long queries).
  void create_user(const std::string& user, const std::string& password) const;

  // Stops the server as a crash does (SIGKILL: only what InnoDB made durable survives), or
  // with a clean shutdown (SIGTERM); start_again() brings it back on the same datadir, socket
  // and port, for tests of what survives a server restart.
  void kill_hard();
  void shut_down();
  Result<void> start_again(std::chrono::seconds timeout = std::chrono::seconds(60));

  // The last `lines` lines of the error log, for failure messages.
  [[nodiscard]] std::string error_log_tail(std::size_t lines = 20) const;

 private:
  MariaDbServer() = default;
  Result<void> wait_until_ready(std::chrono::seconds timeout);

  std::filesystem::path temp_dir_, datadir_, socket_, error_log_;
  unsigned port_ = 0;
  bool keep_data_ = false;
  bool custom_datadir_ = false;
  std::chrono::milliseconds startup_time_{0};
  std::optional<core::ChildProcess> process_;
  std::vector<std::string> argv_;  // how it was started, for start_again()
};

// Why MariaDB integration tests cannot run here (no mariadbd, not root, no mysql user), or
// nullopt when they can.
std::optional<std::string> mariadb_missing_reason();

}  // namespace dbkeep::test

// Skips the current test (or, in SetUpTestSuite, the whole suite) with a printed reason.
#define DBKEEP_SKIP_WITHOUT_MARIADB()                                          \
  do {                                                                         \
    if (auto dbkeep_reason_ = ::dbkeep::test::mariadb_missing_reason()) {      \
      GTEST_SKIP() << "MariaDB integration test skipped: " << *dbkeep_reason_; \
    }                                                                          \
  } while (false)
