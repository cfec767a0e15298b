#pragma once
// Whether a server can continue an archive where it ends. The archiver asks before every
// connection (start, reconnect): a binlog purged before it was read, binary logs reset, a
// rebuilt or failed-over server behind the same address would otherwise be followed from a
// position that means something else, and the archive would look whole while it is not.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dbkeep/archive/segment.hpp"

namespace dbkeep::archive {

// What the server says about its binary log.
struct ServerHistory {
  std::uint32_t server_id = 0;
  std::string server_uuid;                                     // MySQL; empty on MariaDB
  std::vector<std::pair<std::string, std::uint64_t>> binlogs;  // SHOW BINARY LOGS: name, size
  std::string gtid_binlog_pos;  // MariaDB @@gtid_binlog_pos ("0-1-42,1-2-7"); empty on MySQL
};

// Where the archive ends, as its last index entry says.
struct ArchivedEnd {
  BinlogPoint end;
  std::uint32_t server_id = 0;
  std::string server_uuid;
  std::string last_gtid;  // of the last archived transaction; may be empty
};

// Why `server` cannot continue the archive after `archived` (one sentence for the gap
// warning: "the server no longer has mysql-bin.000007 (purged)"), or "" when it can.
std::string resume_problem(const ArchivedEnd& archived, const ServerHistory& server);

}  // namespace dbkeep::archive
