#pragma once
// The parts of a restore that differ per backup method, in one place: `restore`, the restore
// drills and point-in-time restore look a method up here (core::method_traits says what a
// method is; this says how its backups come back) instead of comparing method names.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/file_owner.hpp"
#include "dbkeep/core/method.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"

namespace dbkeep::restore {

struct DatadirRequest {
  std::filesystem::path datadir;
  bool force = false;  // move a non-empty target aside instead of refusing
  core::FileOwner owner = core::FileOwner::named("mysql");  // [set.restore] owner
};

struct DatadirOutcome {
  std::filesystem::path datadir;  // absolute
  std::optional<std::filesystem::path> previous_kept_as;
  std::size_t files = 0;           // files fetched (snapshot)
  std::uint64_t bytes = 0;         // their plaintext size (snapshot)
  std::vector<std::string> chain;  // backups applied, full backup first (physical)
};

// Makes a datadir a server can start on from a datadir backup (snapshot: the files fetched;
// physical: the chain fetched, unpacked and prepared). A kUsage error naming the right restore
// for a backup that is not restored into a datadir.
Result<DatadirOutcome> restore_to_datadir(repo::Repository& repository,
                                          const repo::Manifest& manifest,
                                          const DatadirRequest& request);

// A kUsage error unless backups of `manifest`'s method are restored to `target`; the message
// names the restore that fits ("use --sqlite-path FILE").
Result<void> require_restore_target(const repo::Manifest& manifest, core::RestoreTarget target);

// The restore flag that writes a backup to `target` ("--datadir DIR"), for messages.
std::string_view restore_flag(core::RestoreTarget target);

// The --log-bin a server started on the restored datadir needs: a snapshot's binlog basename,
// so crash recovery commits the transactions that were prepared at snapshot time; empty when
// the method needs none (a prepared physical backup) or the backup recorded no binary log.
std::string crash_recovery_log_bin(const repo::Manifest& manifest);

}  // namespace dbkeep::restore
