#include "dbkeep/source/backup_source.hpp"

#include "dbkeep/source/mysql/logical/logical_source.hpp"
#include "dbkeep/source/mysql/physical_source.hpp"
#include "dbkeep/source/mysql/snapshot_source.hpp"
#include "dbkeep/source/sqlite/sqlite_source.hpp"

namespace dbkeep::source {

Result<std::unique_ptr<BackupSource>> make_backup_source(const core::Config& config,
                                                         const core::SetConfig& set,
                                                         const std::filesystem::path& scratch_dir) {
  switch (set.method) {
    case core::Method::kOnline:
      if (!set.sqlite) break;
      return std::make_unique<sqlite::SqliteSource>(*set.sqlite, scratch_dir);
    case core::Method::kLogical:
      if (!set.mysql || !set.logical) break;
      return std::make_unique<mysql::logical::LogicalSource>(*set.mysql, *set.logical);
    case core::Method::kSnapshot: {
      if (!set.mysql || !set.snapshot) break;
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
    case core::Method::kPhysical:
      if (!set.mysql || !set.physical) break;
      return std::make_unique<mysql::PhysicalSource>(*set.mysql, *set.physical, scratch_dir);
  }
  // load_config() parses the method's tables with the method, so only a config built by hand
  // can get here.
  return fail("set '" + set.name + "': method '" + std::string(core::to_string(set.method)) +
                  "' is missing its settings table",
              ErrorKind::kUsage);
}

}  // namespace dbkeep::source
