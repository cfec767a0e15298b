#pragma once
// Pinning: a pinned backup is never pruned. The pin is a small object next to the backup
// (Repository::pin_key), so the manifest is never rewritten.

#include <optional>
#include <string>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"

namespace dbkeep::retention {

struct PinChange {
  repo::Manifest backup;
  bool was_pinned = false;
};

// Pins (`pinned` = true) or unpins backup `id` (of `set`, if given: ids may repeat across
// sets). Takes the set lock (kLocked when held), so a prune running now either finishes before
// the pin is written or sees it. Idempotent; a missing backup is a usage error.
Result<PinChange> change_pin(const core::Config& config, repo::Repository& repository,
                             const std::string& id, const std::optional<std::string>& set,
                             bool pinned);

}  // namespace dbkeep::retention
