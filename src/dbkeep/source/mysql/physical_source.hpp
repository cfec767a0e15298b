#pragma once
// MySQL/MariaDB hot physical backups (method "physical"): mariabackup (or xtrabackup) copies the
// running server's files with --stream=xbstream; its stdout goes straight through the pipeline
// into one stored object "backup.xbstream", so nothing is staged on local disk. Credentials
// reach the tool through a 0600 defaults file in the run's scratch directory, never argv. The
// tool's stderr goes to the log; when it fails, its last lines are in the error.
//
// Incremental backups (PhysicalConfig::incremental) copy only pages changed since the set's
// latest physical backup (--incremental-lsn = its to_lsn) and record it as depends_on. With no
// earlier backup to build on, a full backup is taken instead (and the log says so).
//
// Facts recorded: tool, tool_version, server_version, backup_type, from_lsn, to_lsn,
// binlog_file/binlog_position/gtid (when binary logging is on), base_id for incrementals.

#include <filesystem>
#include <optional>

#include "dbkeep/source/backup_source.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/connection_options.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"

namespace dbkeep::source::mysql {

// Logical name of the stored stream inside a physical backup.
inline constexpr const char* kPhysicalStreamName = "backup.xbstream";

class PhysicalSource final : public BackupSource {
 public:
  PhysicalSource(core::MysqlConfig mysql, core::PhysicalConfig physical,
                 std::filesystem::path scratch_dir)
      : mysql_(std::move(mysql)),
        physical_(std::move(physical)),
        scratch_dir_(std::move(scratch_dir)) {}

  // Connects, probes the server, finds the tool and checks that it fits the server's version.
  Result<SizeEstimate> estimate() override;
  Result<void> run(repo::BackupSession& session) override;

 private:
  Result<void> prepare();
  // The newest physical backup of the set, when this run is incremental and one exists.
  Result<std::optional<repo::Manifest>> incremental_base(repo::BackupSession& session);
  Result<void> record_metadata(repo::BackupSession& session);

  core::MysqlConfig mysql_;
  core::PhysicalConfig physical_;
  std::filesystem::path scratch_dir_;
  ConnectionOptions connection_;
  std::optional<ServerFacts> server_;
  std::string tool_;
  std::filesystem::path tool_path_;
  std::string tool_version_;
};

}  // namespace dbkeep::source::mysql
