#include "support/snapshot_flow.hpp"

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/source/snapshot/snapshot_guard.hpp"

namespace dbkeep::test {

Result<void> run_snapshot_flow(std::unique_ptr<source::snapshot::SnapshotProvider> provider,
                               const SnapshotFlowOptions& options) {
  TRY(provider->prepare());
  source::snapshot::SnapshotGuard guard(std::move(provider));
  TRY(guard->create());
  TRY(guard->mount());
  for (int chunk = 0; chunk < options.copy_chunks; ++chunk) {
    TRY(core::check_cancellation());
    TRY(guard->check_health());
    if (options.on_chunk) options.on_chunk(chunk);
  }
  TRY(core::check_cancellation());
  TRY(guard->check_health());  // a snapshot that overflowed during the last chunk is torn too
  return guard.release();
}

}  // namespace dbkeep::test
