#include "dbkeep/source/snapshot/snapshot_guard.hpp"

#include "dbkeep/core/log.hpp"

namespace dbkeep::source::snapshot {

SnapshotGuard::SnapshotGuard(std::unique_ptr<SnapshotProvider> provider)
    : provider_(std::move(provider)) {}

SnapshotGuard::~SnapshotGuard() {
  if (!provider_ || released_) return;  // moved from, or already released
  if (auto released = release(); !released) {
    log::error(released.error().message + "; the next run will retry the cleanup");
  }
}

Result<void> SnapshotGuard::release() {
  if (released_) return {};
  released_ = true;
  std::string what = provider_->description();
  if (auto unmounted = provider_->unmount(); !unmounted) {
    return propagate(unmounted.error().with_context("unmounting " + what));
  }
  if (auto removed = provider_->remove(); !removed) {
    return propagate(removed.error().with_context("removing " + what));
  }
  log::debug("released " + what);
  return {};
}

}  // namespace dbkeep::source::snapshot
