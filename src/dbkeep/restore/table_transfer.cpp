#include "dbkeep/restore/table_transfer.hpp"

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/backup_session.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/source/mysql/logical/logical_source.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"
#include "dbkeep/storage/local_backend.hpp"

namespace dbkeep::restore {
namespace {

// A name as a literal fnmatch(3) pattern (the dump's include patterns take wildcards).
std::string literal_pattern(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '*' || c == '?' || c == '[' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> dump_patterns(const TableSelection& only) {
  std::vector<std::string> patterns;
  auto schema_pattern = [](const std::string& schema) -> Result<std::string> {
    // The dump's patterns split schema from table at the first dot.
    if (schema.find('.') != std::string::npos) {
      return usage_error("--only from a snapshot or physical backup cannot name schema `" + schema +
                         "` (its name holds a dot); restore the backup whole");
    }
    return literal_pattern(schema);
  };
  for (const auto& schema : only.whole_schemas()) {
    TRY_ASSIGN(auto pattern, schema_pattern(schema));
    patterns.push_back(std::move(pattern));
  }
  for (const auto& table : only.tables()) {
    TRY_ASSIGN(auto pattern, schema_pattern(table.schema));
    patterns.push_back(pattern + "." + literal_pattern(table.table));
  }
  return patterns;
}

Result<logical::LogicalRestoreResult> transfer_tables(const ScratchServer& from,
                                                      const logical::LogicalRestoreOptions& load,
                                                      const std::filesystem::path& work_dir,
                                                      const std::string& backup) {
  if (!load.only) return fail("transfer_tables needs a selection");
  {
    TRY_ASSIGN(auto connection, from.connect());
    TRY_ASSIGN(auto listed, source::mysql::read_user_tables(connection));
    std::vector<TableName> held;
    for (const auto& table : listed) held.push_back({table.schema, table.table});
    TRY(load.only->check_against(held, backup));
  }
  core::MysqlConfig mysql;
  mysql.socket = from.socket().string();
  mysql.user = "root";
  core::LogicalConfig logical;
  TRY_ASSIGN(logical.include, dump_patterns(*load.only));
  logical.workers = load.workers;
  // Nothing else writes to the scratch server: no lock is needed for a consistent dump, and
  // MyISAM tables are as still as InnoDB ones.
  logical.lock = core::LockMode::kNone;

  repo::Repository transfer(std::make_unique<storage::LocalBackend>(work_dir / "transfer"));
  repo::Manifest draft;
  draft.set = "transfer";
  draft.id = "selected";
  draft.source = core::SourceKind::kMysql;
  draft.method = core::Method::kLogical;
  draft.started_at = core::now_seconds();
  core::CodecOptions codec;
  codec.codec = core::Codec::kNone;  // read back at once, then thrown away
  repo::BackupSession session(transfer, std::move(draft), repo::SessionOptions{codec, 2});
  source::mysql::logical::LogicalSource dump(mysql, logical);
  log::info("dumping " + load.only->text() + " from the scratch server");
  TRY(dump.run(session));
  TRY_ASSIGN(auto manifest, session.commit());
  log::info("loading " + load.only->text() + " into the target server");
  return logical::restore_logical(transfer.backend(), manifest, load);
}

}  // namespace dbkeep::restore
