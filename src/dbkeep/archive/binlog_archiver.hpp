#pragma once
// `dbkeep archive run` for one MySQL/MariaDB set: follows the server's binary log as a
// replication client and stores it as segments (segment.hpp) until cancelled.
//
// Why `mariadb-binlog --read-from-remote-server --raw --stop-never` and not Connector/C's
// binlog API (mariadb_rpl_*): the API of libmariadb 3.3 (Debian 12) failed with "Malformed
// packet" at the first binlog rotation in our probe, and it parses every event, where the
// archive needs only headers. The client tool is the server's own, speaks every event
// version, and its raw output is the binlog byte for byte; we read its spool file as it grows
// (spool_file.hpp) and cut segments from it (docs/pitr.md, "How it works").
//
// Resume: the last index entry's end is where the next run starts; a re-sent event (end
// position not past the last stored one) is skipped, so nothing is stored twice. A binlog
// purged before it was archived, or another server, starts at the server's oldest binlog and
// leaves a gap that `archive status` reports.

#include <filesystem>
#include <functional>
#include <string>

#include "dbkeep/archive/segment.hpp"
#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::archive {

struct ArchiverOptions {
  std::filesystem::path work_dir;  // private: the spool, the client's defaults file, a pid file
  std::string tool = "mariadb-binlog";
  // The largest segment; a longer stretch without a rotation is cut here.
  std::uint64_t max_segment_bytes = 128ULL << 20;
  // Called on the archiver's thread after each segment is stored (its index entry), and when
  // it meets a gap while following the server (where the archive before it ends, and a
  // sentence naming both ends). Either may be empty; neither may throw.
  std::function<void(const SegmentEntry&)> on_segment;
  std::function<void(const BinlogPoint& after, const std::string& description)> on_gap;
};

// Runs until cancellation (SIGTERM/SIGINT): then stores what is complete and returns. Errors
// that a retry cannot fix (configuration, binary logging off) end it with that error;
// a dropped connection or a restarting server is retried with backoff.
Result<void> run_binlog_archiver(const core::SetConfig& set, storage::Backend& backend,
                                 const ArchiverOptions& options);

}  // namespace dbkeep::archive
