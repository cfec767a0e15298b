#pragma once
// Dumping one chunk into the backup, and the parallel worker pool that dumps them all.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/backup_session.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/logical/chunk_plan.hpp"
#include "dbkeep/source/mysql/logical/chunk_queue.hpp"

namespace dbkeep::source::mysql::logical {

inline constexpr std::size_t kStatementBytes = 1024 * 1024;  // one INSERT line, about

// "<schema>/<table>.00001.sql": stored path of a chunk (file_component-encoded names).
std::string chunk_path(const Chunk& chunk);

// Streams the chunk's rows from `connection` into the session; returns the row count and
// records it in the file's manifest attributes. `bytes`, when given, receives the SQL bytes
// written (before compression).
Result<std::uint64_t> dump_chunk(Connection& connection, const Chunk& chunk,
                                 repo::BackupSession& session, std::uint64_t* bytes = nullptr);

// Dumps the chunks of `queue` on `workers` (one thread per connection, each inside its own
// snapshot), reporting each chunk's size back to the queue. The first error stops the others
// from starting new chunks and is returned.
Result<std::uint64_t> dump_chunks_parallel(std::vector<Connection>& workers, ChunkQueue& queue,
                                           repo::BackupSession& session);

}  // namespace dbkeep::source::mysql::logical
