#pragma once
// Restores a datadir backup (method "snapshot": manifest facts layout = "datadir") into a
// directory a MySQL/MariaDB server can start on.
//
// The target must be empty or missing. With `force`, a non-empty target is renamed to
// <DIR>.before-restore-<UTC timestamp> first and a fresh DIR is created: old data is moved,
// never deleted. Every file is fetched with its size and SHA-256 checked against the manifest;
// directories recorded in the manifest are recreated (empty databases included). Files and
// directories then belong to `owner` (and its primary group). If anything fails, what was
// written into the target is removed again (it was empty before), so a failed restore leaves
// an empty directory, never a half datadir a server could start on.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/file_owner.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::restore {

struct DatadirRestoreOptions {
  std::filesystem::path datadir;
  bool force = false;
  core::FileOwner owner = core::FileOwner::named("mysql");
  int parallel = 4;  // files fetched concurrently
};

struct DatadirRestoreResult {
  std::filesystem::path datadir;  // absolute
  std::optional<std::filesystem::path> previous_kept_as;
  std::size_t files = 0;
  std::uint64_t bytes = 0;
};

// A kUsage error unless `manifest` holds a datadir backup.
Result<void> require_datadir_backup(const repo::Manifest& manifest);

// Makes `target` an empty directory a restore can write into: a missing or empty one is used
// as is; a non-empty one is refused, or with `force` renamed to
// <target>.before-restore-<timestamp> (never deleted). Returns where old content went.
// Shared by the snapshot and physical restores.
Result<std::optional<std::filesystem::path>> prepare_restore_target(
    const std::filesystem::path& target, bool force);

// Empties `directory` on scope exit unless released: a failed restore leaves the (empty) target
// as it found it, never a half datadir a server could start on.
class ClearOnFailure {
 public:
  explicit ClearOnFailure(std::filesystem::path directory) : directory_(std::move(directory)) {}
  ClearOnFailure(const ClearOnFailure&) = delete;
  ClearOnFailure& operator=(const ClearOnFailure&) = delete;
  ~ClearOnFailure();
  void release() { directory_.clear(); }

 private:
  std::filesystem::path directory_;
};

// The absolute form of `datadir`; a root directory is refused (kUsage).
Result<std::filesystem::path> resolve_restore_target(const std::filesystem::path& datadir);

// A kUsage error unless `owner` resolves on this machine (checked before any work starts).
Result<void> check_restore_owner(const core::FileOwner& owner);

// The last step of every datadir restore (snapshot and physical): the tree under `target` goes
// to `owner` (and its primary group unless it names one) (directories 0750, files 0640) and its
// filesystem is synced.
Result<void> hand_over_datadir(const std::filesystem::path& target, const core::FileOwner& owner);

Result<DatadirRestoreResult> restore_datadir(storage::Backend& backend,
                                             const repo::Manifest& manifest,
                                             const DatadirRestoreOptions& options);

// "mysql-bin" for a backup that recorded binlog file "mysql-bin.000042"; empty without one.
std::string binlog_basename(const repo::Manifest& manifest);

// The recorded binlog/GTID position and how to replay from it ("binary logging was off" when
// there is none), several lines.
std::string describe_binlog_position(const repo::Manifest& manifest);

}  // namespace dbkeep::restore
