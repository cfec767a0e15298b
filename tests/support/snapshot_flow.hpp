#pragma once
// The snapshot backup method's use of a provider, without the database and the copy: what the
// provider tests drive to check the command sequence on every path.

#include <functional>
#include <memory>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/snapshot/snapshot_provider.hpp"

namespace dbkeep::test {

struct SnapshotFlowOptions {
  int copy_chunks = 1;  // how many "chunks" the pretend copy takes; health is checked before each
  std::function<void(int chunk)> on_chunk;  // e.g. request cancellation in the middle
};

// prepare → guard → create → mount → copy loop (cancellation check + health check per chunk)
// → final health check → release. Returns the first error; the guard cleans up on every path.
Result<void> run_snapshot_flow(std::unique_ptr<source::snapshot::SnapshotProvider> provider,
                               const SnapshotFlowOptions& options = {});

}  // namespace dbkeep::test
