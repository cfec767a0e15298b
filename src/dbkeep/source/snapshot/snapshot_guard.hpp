#pragma once
// Owns a SnapshotProvider from before create() until the end of the backup. Whatever way the
// scope is left — success, an error returned, cancellation — the snapshot is unmounted, then
// removed, each step logged. Unmounting comes first because a mounted LV cannot be removed;
// when unmounting fails for good, removal is not attempted and both stay in the resource
// journal for the next run.

#include <memory>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/snapshot/snapshot_provider.hpp"

namespace dbkeep::source::snapshot {

class SnapshotGuard {
 public:
  explicit SnapshotGuard(std::unique_ptr<SnapshotProvider> provider);
  SnapshotGuard(SnapshotGuard&&) noexcept = default;
  SnapshotGuard& operator=(SnapshotGuard&&) = delete;
  SnapshotGuard(const SnapshotGuard&) = delete;
  SnapshotGuard& operator=(const SnapshotGuard&) = delete;
  // Calls release() unless it was already called, and logs its failure.
  ~SnapshotGuard();

  SnapshotProvider* operator->() { return provider_.get(); }
  SnapshotProvider& provider() { return *provider_; }

  // Unmounts, then removes (each provider step retries on its own). Returns the first failure,
  // so a successful backup can still report that its snapshot was left behind. Only the first
  // call acts: what it could not undo stays journalled for the next run.
  Result<void> release();

 private:
  std::unique_ptr<SnapshotProvider> provider_;
  bool released_ = false;
};

}  // namespace dbkeep::source::snapshot
