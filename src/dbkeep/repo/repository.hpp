#pragma once
// The repository catalog over a storage backend. Layout (same on every backend):
//
//   <set>/<id>/manifest.json      written last; its presence makes the backup complete
//   <set>/<id>/data/<path>[.zst]  the stored files
//   <set>/<id>/pinned             present while the backup is pinned (`dbkeep pin`); kept out
//                                 of the manifest, which is never rewritten
//
// Keys whose first component starts with '.' (local state such as .state/) are not backups.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::repo {

struct Catalog {
  std::vector<Manifest> backups;      // complete backups, newest first
  std::vector<std::string> problems;  // manifests that could not be read, with the reason
  std::set<std::string> pinned;       // "<set>/<id>" of every backup with a pin object

  [[nodiscard]] bool is_pinned(const Manifest& manifest) const {
    return pinned.contains(manifest.set + "/" + manifest.id);
  }
};

struct IncompleteBackup {
  std::string set;
  std::string id;
};

class Repository {
 public:
  explicit Repository(std::unique_ptr<storage::Backend> backend);

  storage::Backend& backend() { return *backend_; }

  static std::string backup_prefix(const std::string& set, const std::string& id);
  static std::string manifest_key(const std::string& set, const std::string& id);
  static std::string data_key(const std::string& set, const std::string& id,
                              const std::string& path);
  static std::string pin_key(const std::string& set, const std::string& id);

  // Complete backups, newest first (by start time, then id); `set` filters.
  Result<Catalog> list(const std::optional<std::string>& set = std::nullopt);
  // One complete backup by id. An id present in several sets needs `set`. Not found: kUsage.
  Result<Manifest> find(const std::string& id, const std::optional<std::string>& set);
  // The newest complete backup (of `set`, if given).
  Result<Manifest> latest(const std::optional<std::string>& set);

  // Backups of `set` that have objects but no manifest. Only call while holding the set lock,
  // or a running backup would look incomplete.
  Result<std::vector<IncompleteBackup>> incomplete(const std::string& set);
  // Removes the incomplete backups of `set`, logging each. Caller holds the set lock.
  Result<void> remove_incomplete(const std::string& set);
  // Picks an unused id for a backup of `set` starting at `started_at`.
  Result<std::string> reserve_id(const std::string& set, core::Seconds started_at);
  // Writes the manifest (last step of a backup): atomically visible, durable.
  Result<void> commit(const Manifest& manifest);
  // Deletes a backup: the manifest first (so an interrupted delete never leaves a listed backup
  // without its files), then the data.
  Result<void> remove_backup(const std::string& set, const std::string& id);

  // Pins (writes the pin object holding `pinned_at`) or unpins (removes it) a backup. Both are
  // idempotent. The caller checks the backup exists and holds the set lock, so a prune running
  // at the same time cannot miss the pin.
  Result<void> set_pinned(const std::string& set, const std::string& id, bool pinned,
                          core::Seconds pinned_at);
  Result<bool> is_pinned(const std::string& set, const std::string& id);

 private:
  std::unique_ptr<storage::Backend> backend_;
};

}  // namespace dbkeep::repo
