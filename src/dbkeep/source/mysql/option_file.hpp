#pragma once
// Reads client settings from a MySQL option file (`~/.my.cnf` style), so a password can live in
// a 0600 file instead of the command line or our config.
//
// We parse the file ourselves instead of handing it to Connector/C (MYSQL_READ_DEFAULT_FILE):
// that way a missing or unreadable file is a clear error rather than silently ignored, a syntax
// error names the file and line, and the password passes through log::register_secret before
// anything could print it.
//
// Supported: `[group]` headers, `key = value` and `key=value`, values in single or double quotes
// (with \\ \" \' \n \t escapes inside double quotes), `#` and `;` comments, `-` and `_` equivalent
// in keys. `!include` / `!includedir` are reported as errors: silently ignoring them could mean
// connecting as the wrong user.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::source::mysql {

// The [client] keys dbkeep uses; every field is unset unless the file set it.
struct ClientOptionValues {
  std::optional<std::string> user;
  std::optional<std::string> password;  // registered with log::register_secret when read
  std::optional<std::string> socket;
  std::optional<std::string> host;
  std::optional<unsigned> port;
};

// Reads `groups` in order (later groups override earlier ones, e.g. {"client", "dbkeep"}).
// Unknown keys are ignored: option files are shared with the mysql client and other tools.
Result<ClientOptionValues> read_client_option_file(const std::filesystem::path& path,
                                                   const std::vector<std::string>& groups);

}  // namespace dbkeep::source::mysql
