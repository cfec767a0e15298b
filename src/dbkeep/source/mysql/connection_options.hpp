#pragma once
// The connection a set's [set.mysql] table describes, built in one place for every method and
// for check-config.

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::source::mysql {

// Socket, host, port, user and password as configured; an option_file is left for
// Connection::connect to read (explicit settings win over it).
ConnectionOptions connection_options(const core::MysqlConfig& mysql);

// `options` with the values of its option_file (groups option_file_groups) filled in where a
// field is empty: explicit settings win. The password is registered with log::register_secret.
Result<ConnectionOptions> with_option_file_values(ConnectionOptions options);

// connection_options() with the option file's [client] values filled in where the configuration
// left a field empty, for tools that must be given them as arguments (mariabackup). The password is
// registered with log::register_secret.
Result<ConnectionOptions> resolved_connection_options(const core::MysqlConfig& mysql);

}  // namespace dbkeep::source::mysql
