#pragma once
// Loading data chunk files: each is streamed from storage (decompressed, checksummed) and its
// lines run as statements on one connection inside one transaction. Data files hold one
// statement per line (source/mysql/logical/chunk_source.hpp), so no SQL parsing is needed.

#include <functional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/restore/logical/load_progress.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::restore::logical {

struct ChunkLoad {
  const repo::ManifestFile* file = nullptr;
  std::string target_schema;
  std::string table;
  // Resumed load only: the chunk may have committed before the interruption; a duplicate-key
  // error then means it did (jobs/in_doubt_chunks.hpp), and it is recorded instead of failing.
  bool in_doubt = false;
};

// Session settings for a loading connection (utf8mb4, UTC, no FK/unique checks, …).
Result<void> prepare_load_session(source::mysql::Connection& connection, bool skip_binlog);

// Runs task(connection, i) for i in [0, count) on the connections in parallel, each index once;
// the first error stops the rest and is returned.
Result<void> run_parallel(
    std::vector<source::mysql::Connection>& connections, std::size_t count,
    const std::function<Result<void>(source::mysql::Connection&, std::size_t)>& task);

// Loads every chunk on its own connection from `connections`, in parallel; the first error
// stops the rest and is returned. With `progress`, each chunk is recorded as begun before its
// transaction starts and as loaded after it commits.
Result<void> load_chunks_parallel(storage::Backend& backend,
                                  std::vector<source::mysql::Connection>& connections,
                                  const std::vector<ChunkLoad>& chunks,
                                  LoadProgress* progress = nullptr);

}  // namespace dbkeep::restore::logical
