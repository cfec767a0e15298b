#include "dbkeep/retention/pin_job.hpp"

#include "dbkeep/core/log.hpp"
#include "dbkeep/repo/set_lock.hpp"

namespace dbkeep::retention {

Result<PinChange> change_pin(const core::Config& config, repo::Repository& repository,
                             const std::string& id, const std::optional<std::string>& set,
                             bool pinned) {
  TRY_ASSIGN(auto backup, repository.find(id, set));
  TRY_ASSIGN(auto lock, repo::SetLock::acquire(config.repository.state_dir, backup.set));
  // A prune may have deleted it between find() and taking the lock.
  TRY_ASSIGN(bool exists,
             repository.backend().exists(repo::Repository::manifest_key(backup.set, id)));
  if (!exists) return usage_error("backup " + backup.set + "/" + id + " was just deleted");

  TRY_ASSIGN(bool was_pinned, repository.is_pinned(backup.set, id));
  if (was_pinned != pinned) {
    TRY(repository.set_pinned(backup.set, id, pinned, core::now_seconds()));
    log::info(std::string(pinned ? "pinned" : "unpinned") + " backup " + backup.set + "/" + id);
  }
  return PinChange{std::move(backup), was_pinned};
}

}  // namespace dbkeep::retention
