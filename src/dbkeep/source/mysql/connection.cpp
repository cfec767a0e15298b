#include "dbkeep/source/mysql/connection.hpp"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <utility>

#include "dbkeep/core/log.hpp"
#include "dbkeep/source/mysql/connection_options.hpp"

namespace dbkeep::source::mysql {
namespace {

// mysql_init() initialises the library lazily, which is not thread-safe; do it once up front.
void ensure_library_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

std::string describe_endpoint(const ConnectionOptions& options) {
  if (!options.socket.empty()) return "socket " + options.socket;
  if (!options.host.empty()) {
    return "host " + options.host + ":" + std::to_string(options.port ? options.port : 3306);
  }
  return "the default socket";
}

std::string connect_failure(const ConnectionOptions& options, MYSQL* handle) {
  const unsigned number = mysql_errno(handle);
  const std::string server_text = log::redact(mysql_error(handle));
  const std::string prefix = "cannot connect to MySQL at " + describe_endpoint(options) + ": ";
  if (number == ER_ACCESS_DENIED_ERROR || number == ER_ACCESS_DENIED_NO_PASSWORD_ERROR) {
    return prefix + "access denied for user '" + options.user +
           "' (wrong user or password?); server said: " + server_text;
  }
  if (number == CR_CONNECTION_ERROR && !options.socket.empty()) {
    std::error_code ignored;
    if (!std::filesystem::exists(options.socket, ignored)) {
      return prefix + "no such file (is the server running, and is the socket path right?)";
    }
  }
  return prefix + server_text + " (error " + std::to_string(number) + ")";
}

std::string shorten(std::string_view sql) {
  constexpr std::size_t kLimit = 160;
  std::string text(sql.substr(0, kLimit));
  if (sql.size() > kLimit) text += "…";
  return text;
}

}  // namespace

std::optional<std::size_t> QueryResult::column_index(std::string_view name) const {
  auto same = [&](const std::string& column) {
    return std::ranges::equal(column, name, [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) ==
             std::tolower(static_cast<unsigned char>(b));
    });
  };
  auto found = std::ranges::find_if(columns, same);
  if (found == columns.end()) return std::nullopt;
  return static_cast<std::size_t>(std::distance(columns.begin(), found));
}

std::optional<std::string> QueryResult::value(std::size_t row, std::string_view name) const {
  auto index = column_index(name);
  if (!index || row >= rows.size()) return std::nullopt;
  return rows[row][*index];
}

Result<Connection> Connection::connect(const ConnectionOptions& requested) {
  ensure_library_initialised();
  TRY_ASSIGN(auto options, with_option_file_values(requested));

  Connection connection;
  connection.handle_ = mysql_init(nullptr);
  if (connection.handle_ == nullptr)
    return fail("cannot create a MySQL client handle: out of memory");
  MYSQL* handle = connection.handle_;

  unsigned connect_timeout = static_cast<unsigned>(options.connect_timeout.count());
  unsigned read_timeout = static_cast<unsigned>(options.read_timeout.count());
  my_bool no_reconnect = 0;  // a silent reconnect would drop a held lock without telling us
  mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  if (read_timeout > 0) mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_options(handle, MYSQL_OPT_RECONNECT, &no_reconnect);
  mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4");

  const char* host = nullptr;
  const char* socket = nullptr;
  if (!options.socket.empty()) {
    unsigned protocol = MYSQL_PROTOCOL_SOCKET;
    mysql_options(handle, MYSQL_OPT_PROTOCOL, &protocol);
    socket = options.socket.c_str();
    host = "localhost";
  } else if (!options.host.empty()) {
    unsigned protocol = MYSQL_PROTOCOL_TCP;
    mysql_options(handle, MYSQL_OPT_PROTOCOL, &protocol);
    host = options.host.c_str();
  }
  const char* user = options.user.empty() ? nullptr : options.user.c_str();
  const char* password = options.password.empty() ? nullptr : options.password.c_str();
  if (mysql_real_connect(handle, host, user, password, nullptr, options.port, socket, 0) ==
      nullptr) {
    return fail(connect_failure(options, handle));
  }
  connection.endpoint_ = describe_endpoint(options);
  connection.options_ = std::move(options);
  return connection;
}

Connection::Connection(Connection&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      options_(std::move(other.options_)),
      endpoint_(std::move(other.endpoint_)),
      last_error_number_(other.last_error_number_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    handle_ = std::exchange(other.handle_, nullptr);
    options_ = std::move(other.options_);
    endpoint_ = std::move(other.endpoint_);
    last_error_number_ = other.last_error_number_;
  }
  return *this;
}

Connection::~Connection() {
  close();
}

void Connection::close() {
  if (handle_ != nullptr) mysql_close(std::exchange(handle_, nullptr));
}

Result<Connection> Connection::open_another() const {
  return connect(options_);
}

Error Connection::query_error(std::string_view sql) {
  last_error_number_ = mysql_errno(handle_);
  return Error{
      ErrorKind::kFailed,
      log::redact("query failed on " + endpoint_ + ": " + mysql_error(handle_) + " (error " +
                  std::to_string(last_error_number_) + ") in: " + shorten(sql))};
}

Result<void> Connection::execute(std::string_view sql) {
  if (handle_ == nullptr) return fail("MySQL connection to " + endpoint_ + " is closed");
  if (mysql_real_query(handle_, sql.data(), sql.size()) != 0) return propagate(query_error(sql));
  // Drain a result set if the statement produced one (e.g. a SELECT run for its side effect).
  if (MYSQL_RES* result = mysql_store_result(handle_)) mysql_free_result(result);
  if (mysql_errno(handle_) != 0) return propagate(query_error(sql));
  last_error_number_ = 0;
  return {};
}

Result<QueryResult> Connection::query(std::string_view sql) {
  if (handle_ == nullptr) return fail("MySQL connection to " + endpoint_ + " is closed");
  if (mysql_real_query(handle_, sql.data(), sql.size()) != 0) return propagate(query_error(sql));
  MYSQL_RES* raw = mysql_store_result(handle_);
  if (raw == nullptr) {
    if (mysql_errno(handle_) != 0) return propagate(query_error(sql));
    return QueryResult{};  // a statement without a result set
  }
  std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> result(raw, &mysql_free_result);

  QueryResult out;
  const unsigned field_count = mysql_num_fields(raw);
  MYSQL_FIELD* fields = mysql_fetch_fields(raw);
  for (unsigned i = 0; i < field_count; ++i) out.columns.emplace_back(fields[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(raw)) {
    unsigned long* lengths = mysql_fetch_lengths(raw);
    Row values;
    values.reserve(field_count);
    for (unsigned i = 0; i < field_count; ++i) {
      if (row[i] == nullptr) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(std::string(row[i], lengths[i]));
      }
    }
    out.rows.push_back(std::move(values));
  }
  last_error_number_ = 0;
  return out;
}

Result<std::optional<std::string>> Connection::query_single_value(std::string_view sql) {
  TRY_ASSIGN(auto result, query(sql));
  if (result.rows.empty() || result.rows[0].empty()) return std::optional<std::string>();
  return result.rows[0][0];
}

unsigned long Connection::thread_id() const {
  return handle_ == nullptr ? 0 : mysql_thread_id(handle_);
}

std::string Connection::escape_string(std::string_view text) const {
  std::string out(text.size() * 2 + 1, '\0');
  // Without a connection the charset is unknown; the plain escape is right for utf8mb4.
  unsigned long length =
      handle_ == nullptr ? mysql_escape_string(out.data(), text.data(), text.size())
                         : mysql_real_escape_string(handle_, out.data(), text.data(), text.size());
  out.resize(length);
  return out;
}

}  // namespace dbkeep::source::mysql
