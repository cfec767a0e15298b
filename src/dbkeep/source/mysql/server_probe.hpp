#pragma once
// What a backup needs to know about a server before touching it: flavor and version (which
// lock and status statements exist), where its files live (what a snapshot must cover), binary
// logging (what position to record), and roughly how much data there is.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/table_inventory.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::source::mysql {

enum class Flavor { kMariaDb, kMySql, kPercona };
std::string_view flavor_name(Flavor flavor);

struct ServerVersion {
  Flavor flavor = Flavor::kMySql;
  std::string text;     // @@version, e.g. "10.11.6-MariaDB-0+deb12u1-log"
  unsigned number = 0;  // major*10000 + minor*100 + patch, e.g. 101106

  [[nodiscard]] bool at_least(unsigned major, unsigned minor, unsigned patch = 0) const {
    return number >= major * 10000 + minor * 100 + patch;
  }
};

struct ServerFacts {
  ServerVersion version;
  // Where this host reads the server's files: the server's own datadir, or [set.mysql] datadir
  // once map_to_host_datadir() has rebased every path below it (datadir_mapping.hpp).
  std::filesystem::path datadir;
  std::filesystem::path server_datadir;  // @@datadir as the server reports it
  std::string innodb_data_file_path;     // @@innodb_data_file_path, e.g. "ibdata1:12M:autoextend"
  // InnoDB locations as the server reports them, resolved to absolute paths (relative values
  // such as "./" are relative to datadir; empty means datadir).
  std::filesystem::path innodb_data_home_dir;
  std::filesystem::path innodb_log_group_home_dir;
  std::filesystem::path innodb_undo_directory;
  // Tablespace files outside the datadir (CREATE TABLE … DATA DIRECTORY), absolute.
  std::vector<std::filesystem::path> external_tablespace_files;
  // Up to 1000 tablespace files inside the datadir, relative to it ("app/t1.ibd"): enough to
  // recognise the server's datadir under another path.
  std::vector<std::filesystem::path> tablespace_files_in_datadir;
  bool log_bin = false;
  std::filesystem::path log_bin_basename;  // absolute; empty when binary logging is off
  std::uint32_t server_id = 0;
  std::string server_uuid;                  // MySQL only; empty on MariaDB
  std::vector<std::string> engines_in_use;  // sorted, user schemas only (not mysql, sys, …)
  std::uint64_t estimated_data_bytes = 0;   // sum of data_length + index_length, all schemas
  // The base tables of the user schemas with the server's row estimate and data + index
  // bytes, recorded in every snapshot and physical manifest (repo/table_inventory.hpp).
  std::vector<repo::TableEntry> tables;
};

// Flavor and version only: one cheap query, for callers that need nothing else.
Result<ServerVersion> probe_version(Connection& connection);

// Everything above. Needs the PROCESS privilege for information_schema tablespaces.
Result<ServerFacts> probe_server(Connection& connection);

// The base tables (system-versioned ones included) of the user schemas, with the server's row
// estimate and data + index bytes; only those the connected user may see.
Result<std::vector<repo::TableEntry>> read_user_tables(Connection& connection);

// Directories and files that must all lie inside the snapshotted volume for a snapshot to be a
// consistent copy: datadir, the InnoDB directories, external tablespaces. Deduplicated, absolute,
// lexically normal. The binary log is not listed: a restore does not need it.
std::vector<std::filesystem::path> paths_requiring_snapshot(const ServerFacts& facts);

// Parses "10.11.6-MariaDB-log" / "8.0.36" into major*10000 + minor*100 + patch (0 if unparsable).
unsigned parse_version_number(std::string_view version);

}  // namespace dbkeep::source::mysql
