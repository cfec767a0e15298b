#include "dbkeep/source/mysql/connection_options.hpp"

#include "dbkeep/core/log.hpp"
#include "dbkeep/source/mysql/option_file.hpp"

namespace dbkeep::source::mysql {

ConnectionOptions connection_options(const core::MysqlConfig& mysql) {
  ConnectionOptions options;
  options.socket = mysql.socket.value_or("");
  options.host = mysql.host.value_or("");
  options.port = static_cast<unsigned>(mysql.port.value_or(0));
  options.user = mysql.user.value_or("");
  options.password = mysql.password.value_or("");
  options.option_file = mysql.option_file;
  return options;
}

Result<ConnectionOptions> with_option_file_values(ConnectionOptions options) {
  if (options.option_file) {
    TRY_ASSIGN(auto file,
               read_client_option_file(*options.option_file, options.option_file_groups));
    if (options.user.empty() && file.user) options.user = *file.user;
    if (options.password.empty() && file.password) options.password = *file.password;
    if (options.socket.empty() && options.host.empty()) {
      options.socket = file.socket.value_or("");
      options.host = file.host.value_or("");
    }
    if (options.port == 0 && file.port) options.port = *file.port;
  }
  if (!options.password.empty()) log::register_secret(options.password);
  return options;
}

Result<ConnectionOptions> resolved_connection_options(const core::MysqlConfig& mysql) {
  // Returned in place rather than through TRY_ASSIGN's temporary: g++ 12 -O3 otherwise reports
  // the moved optional<path> as maybe-uninitialized (a false positive -Werror makes fatal).
  auto options = with_option_file_values(connection_options(mysql));
  if (options) options->option_file = std::nullopt;
  return options;
}

}  // namespace dbkeep::source::mysql
