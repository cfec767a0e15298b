#pragma once
// One client connection to a MySQL/MariaDB server over MariaDB Connector/C. Move-only RAII:
// the destructor closes the connection, which also releases every lock the session held
// (a global read lock dies with its connection; quiesce relies on that as the last resort).
//
// Not thread-safe: one thread uses a connection at a time. Different connections may be used
// from different threads concurrently (quiesce's watchdog does).

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/error.hpp"

struct st_mysql;  // MYSQL from <mysql.h>; kept out of this header

namespace dbkeep::source::mysql {

struct ConnectionOptions {
  // Where: `socket` wins when set; otherwise `host`:`port` over TCP. When neither is set (and
  // the option file gives none), Connector/C's default socket is used.
  std::string socket;
  std::string host;
  unsigned port = 0;  // 0: 3306
  std::string user;
  std::string password;  // never logged; registered with log::register_secret on connect
  std::chrono::seconds connect_timeout{10};
  // Per network read; 0 means none. Keep it longer than any lock wait we expect (FTWRL with
  // lock_wait_timeout) or the client gives up before the server does.
  std::chrono::seconds read_timeout{0};
  // Optional MySQL option file (e.g. ~/.my.cnf): fills user, password, socket, host, port from
  // `option_file_groups` wherever the fields above are empty (explicit settings win).
  std::optional<std::filesystem::path> option_file;
  std::vector<std::string> option_file_groups{"client"};
};

// One result row: a value per column, nullopt for SQL NULL.
using Row = std::vector<std::optional<std::string>>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;

  // Index of the column named `name` (case-insensitive), or nullopt.
  [[nodiscard]] std::optional<std::size_t> column_index(std::string_view name) const;
  // The value of column `name` in row `row`; nullopt when NULL or no such column.
  [[nodiscard]] std::optional<std::string> value(std::size_t row, std::string_view name) const;
};

class RowStream;

class Connection {
 public:
  // Connects, sets utf8mb4, and returns a clear error naming the endpoint on failure.
  static Result<Connection> connect(const ConnectionOptions& options);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Opens a second, independent connection with the same settings (for a watchdog).
  [[nodiscard]] Result<Connection> open_another() const;

  // Runs a statement and discards any result set.
  Result<void> execute(std::string_view sql);
  // Runs a statement returning rows (SELECT, SHOW).
  Result<QueryResult> query(std::string_view sql);
  // First column of the first row; nullopt when NULL or no rows.
  Result<std::optional<std::string>> query_single_value(std::string_view sql);

  // The server's id for this session (CONNECTION_ID()), for KILL and processlist filtering.
  [[nodiscard]] unsigned long thread_id() const;
  // Server error number of the last failed call (e.g. 1205 lock wait timeout), 0 if none.
  [[nodiscard]] unsigned last_error_number() const { return last_error_number_; }
  // Escapes `text` for use inside a quoted SQL string literal on this connection's charset.
  [[nodiscard]] std::string escape_string(std::string_view text) const;
  // "socket /run/mysqld/mysqld.sock" or "host db1:3306", for messages.
  [[nodiscard]] const std::string& endpoint() const { return endpoint_; }
  [[nodiscard]] bool is_open() const { return handle_ != nullptr; }
  // Closes now; later calls fail with "connection closed". Safe to call twice.
  void close();

 private:
  friend class RowStream;  // streams rows straight off handle_ (row_stream.hpp)
  Connection() = default;
  Error query_error(std::string_view sql);

  st_mysql* handle_ = nullptr;
  ConnectionOptions options_;  // resolved settings, kept for open_another()
  std::string endpoint_;
  unsigned last_error_number_ = 0;
};

}  // namespace dbkeep::source::mysql
