#pragma once
// Applies a replay plan: the planned segments are fetched (SHA-256 and sizes checked against
// their index entries, as for every restore), the events after the base's position up to the
// target are written to one binlog file in scratch space, cut at a transaction boundary (never
// half a transaction), and the file is piped through `mariadb-binlog | mariadb` into the
// restored server.
//
// Why a file, not a pipe: whether a transaction is inside the target is known only at its end
// event, so the cut needs to go back; a file is truncated to the last included boundary, and
// memory stays at one event whatever the transaction's size.

#include <filesystem>
#include <string>

#include "dbkeep/archive/archive_catalog.hpp"
#include "dbkeep/archive/replay_plan.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::archive {

struct ReplayedRange {
  std::uint64_t events = 0;
  std::uint64_t transactions = 0;
  std::int64_t last_commit_time = 0;  // 0 when nothing was applied
  std::string last_gtid;
  BinlogPoint end;  // just after the last applied event
  std::uint64_t bytes = 0;
};

// Writes the replay file `out` (created 0600, must not exist).
Result<ReplayedRange> write_replay_file(storage::Backend& backend, const ArchiveCatalog& catalog,
                                        const ReplayPlan& plan, const ReplayTarget& target,
                                        const std::filesystem::path& out);

struct ApplyOptions {
  std::filesystem::path scratch_dir;  // private; holds the client's 0600 defaults file
  bool skip_binlog = false;           // the target server does not log the replayed events
  // The target runs with --skip-grant-tables (a scratch server on a restored datadir): the
  // stream starts with FLUSH PRIVILEGES, so replayed GRANT/CREATE USER statements work; the
  // replaying session keeps the privileges it connected with.
  bool load_grant_tables_first = false;
  std::string binlog_tool = "mariadb-binlog";
  std::string client = "mariadb";
};

// Pipes `file` through mariadb-binlog into the server `target` connects to.
Result<void> apply_replay_file(const std::filesystem::path& file,
                               const source::mysql::ConnectionOptions& target,
                               const ApplyOptions& options);

}  // namespace dbkeep::archive
