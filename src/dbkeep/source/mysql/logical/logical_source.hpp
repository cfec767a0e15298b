#pragma once
// method = "logical": a consistent, parallel, compressed SQL dump (docs/logical.md).
//
//   read the catalog, plan chunks, store table definitions      (no lock)
//   open N worker connections                                    (no lock)
//   global lock → each worker START TRANSACTION WITH CONSISTENT SNAPSHOT → record the binlog
//   position → (non_transactional = "lock": dump MyISAM/Aria tables) → unlock
//   workers stream chunks in parallel inside their snapshots      (no lock)
//   store routines, views, triggers, events per schema
//
// Every worker's snapshot starts while writes are blocked, so all of them see the same
// committed state, the one the recorded binlog position names.

#include <filesystem>

#include "dbkeep/core/config.hpp"
#include "dbkeep/source/backup_source.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/connection_options.hpp"

namespace dbkeep::source::mysql::logical {

class LogicalSource final : public BackupSource {
 public:
  LogicalSource(core::MysqlConfig mysql, core::LogicalConfig logical);
  Result<SizeEstimate> estimate() override;
  Result<void> run(repo::BackupSession& session) override;

 private:
  core::MysqlConfig mysql_;
  core::LogicalConfig logical_;
};

}  // namespace dbkeep::source::mysql::logical
