#include "dbkeep/source/backup_source.hpp"

#include "dbkeep/source/mysql/logical/logical_source.hpp"
#include "dbkeep/source/mysql/snapshot_source.hpp"
#include "dbkeep/source/mysql/physical_source.hpp"
#include "dbkeep/source/sqlite/sqlite_source.hpp"

namespace dbkeep::source {

Result<std::unique_ptr<BackupSource>> make_backup_source(const core::Config& config,
                                                         const core::SetConfig& set,
                                                         const std::filesystem::path& scratch_dir) {
  if (set.source == "sqlite" && set.method == "online" && set.sqlite) {
    return std::make_unique<sqlite::SqliteSource>(*set.sqlite, scratch_dir);
  }
  if (set.source == "mysql" && set.method == "logical" && set.mysql && set.logical) {
    return std::make_unique<mysql::logical::LogicalSource>(*set.mysql, *set.logical);
  }
  if (set.source == "mysql" && set.method == "snapshot" && set.mysql && set.snapshot) {
    mysql::SnapshotSourceSettings settings{
        set.name,
        *set.mysql,
        *set.snapshot,
        mysql::SnapshotSource::journal_file(config.repository.state_dir, set.name),
        config.repository.path,
        set.parallel};
    return std::make_unique<mysql::SnapshotSource>(std::move(settings),
                                                   std::make_shared<core::SystemCommandRunner>());
  }
  if (set.source == "mysql" && set.method == "physical" && set.mysql && set.physical) {
    return std::make_unique<mysql::PhysicalSource>(*set.mysql, *set.physical, scratch_dir);
  }
  return fail("set '" + set.name + "': method '" + set.method + "' for source '" + set.source +
                  "' is not available in this build of dbkeep yet",
              ErrorKind::kUsage);
}

}  // namespace dbkeep::source
