#pragma once
// Loading data chunk files: each is streamed from storage (decompressed, checksummed) and its
// lines run as statements on one connection inside one transaction. Data files hold one
// statement per line (source/mysql/logical/chunk_source.hpp), so no SQL parsing is needed.

#include <functional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::jobs {

struct ChunkLoad {
  const repo::ManifestFile* file = nullptr;
  std::string target_schema;
};

// Session settings for a loading connection (utf8mb4, UTC, no FK/unique checks, …).
Result<void> prepare_load_session(source::mysql::Connection& connection, bool skip_binlog);

// Runs task(connection, i) for i in [0, count) on the connections in parallel, each index once;
// the first error stops the rest and is returned.
Result<void> run_parallel(
    std::vector<source::mysql::Connection>& connections, std::size_t count,
    const std::function<Result<void>(source::mysql::Connection&, std::size_t)>& task);

// Loads every chunk on its own connection from `connections`, in parallel; the first error
// stops the rest and is returned.
Result<void> load_chunks_parallel(storage::Backend& backend,
                                  std::vector<source::mysql::Connection>& connections,
                                  const std::vector<ChunkLoad>& chunks);

}  // namespace dbkeep::jobs
