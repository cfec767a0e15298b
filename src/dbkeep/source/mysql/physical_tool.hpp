#pragma once
// What the physical method needs to know about mariabackup / xtrabackup, apart from running it:
// which tool fits a server, whether the installed one can back it up, the 0600 defaults file
// that carries the credentials (never the command line), and the metadata files the tool
// writes (xtrabackup_checkpoints, xtrabackup_info).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"

namespace dbkeep::source::mysql {

// `configured` ([set.physical] tool) wins; otherwise mariabackup for MariaDB, xtrabackup for
// MySQL and Percona Server.
std::string choose_physical_tool(Flavor flavor, const std::optional<std::string>& configured);

// The program's absolute path through PATH, or a kUsage error saying which package provides it.
Result<std::filesystem::path> find_physical_tool(const std::string& tool);

// Runs `tool --version` and returns its version text ("10.11.6-MariaDB"). A tool that cannot
// back up `server` (another release series than the server's) is a kUsage error naming both.
Result<std::string> check_tool_version(const std::filesystem::path& tool,
                                       const ServerVersion& server);
// The server version a `--version` line names ("... based on MariaDB server 10.11.6-MariaDB ..."
// or "xtrabackup version 8.0.35-30 based on MySQL server 8.0.35"), or empty.
std::string tool_version_from_output(std::string_view output);
// major*100 + minor of a version number (101106 → 1011), for "same release series".
inline unsigned release_series(unsigned version_number) {
  return version_number / 100;
}

// Writes `path` (0600, created fresh) with [client] and [xtrabackup] groups holding user,
// password, socket, host and port from `options` (only those set). Both tools read their
// connection settings from it through --defaults-file.
Result<void> write_defaults_file(const std::filesystem::path& path,
                                 const ConnectionOptions& options);

// xtrabackup_checkpoints: "backup_type = full-backuped", "from_lsn = 0", "to_lsn = 123", …
struct Checkpoints {
  std::string backup_type;
  std::uint64_t from_lsn = 0;
  std::uint64_t to_lsn = 0;
  std::uint64_t last_lsn = 0;  // 0 when the file does not say
};
Result<Checkpoints> parse_checkpoints(std::string_view text, const std::string& where);

// "key = value" lines (xtrabackup_info, xtrabackup_checkpoints); later keys win.
std::map<std::string, std::string> parse_key_values(std::string_view text);

}  // namespace dbkeep::source::mysql
