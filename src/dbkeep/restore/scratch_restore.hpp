#pragma once
// A MySQL/MariaDB backup brought up on a scratch server in a directory the caller owns and
// removes (core::TempDir): the steps the restore drill (`verify --restore-test`) and
// `dbkeep open` share, one function each so a caller can tell which step failed.
//
//   prepare_scratch   find the server binary and its account; make the directory theirs
//   materialize       snapshot/physical: restore_to_datadir into <scratch>/data;
//                     logical: an empty datadir made with mariadb-install-db
//   ScratchServer::start(target.server)  the server on it (crash recovery runs; snapshots
//                     with log_bin)
//   load              logical: the parallel loader (restore --to-server's code); else nothing
//
// scratch_bytes_needed says, before anything is fetched, how much room these steps take.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/file_owner.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/restore/scratch_server.hpp"

namespace dbkeep::restore {

// Who may enter the scratch directory: kShared leaves it 0755 (the drill: the server's account
// only needs to traverse it); kPrivate makes it the server account's, mode 0700 (`open`: the
// socket and the data are nobody else's business; root still enters it).
enum class ScratchAccess { kShared, kPrivate };

struct ScratchRestoreOptions {
  std::string server_binary;  // [verify] server_binary; empty: found automatically
  core::FileOwner owner = core::FileOwner::named("mysql");  // [set.restore] owner
  ScratchAccess access = ScratchAccess::kShared;
  int workers = 2;  // the logical loader's connections
};

struct ScratchTarget {
  std::filesystem::path scratch;
  std::filesystem::path datadir;  // <scratch>/data
  core::FileOwner owner;
  ScratchServerOptions server;  // binary, datadir, <scratch>/run, account, log_bin
  int workers = 2;
};

// True when the method's backups are loaded into a running server (logical).
bool loads_into_server(const repo::Manifest& manifest);

Result<ScratchTarget> prepare_scratch(const repo::Manifest& manifest,
                                      const ScratchRestoreOptions& options,
                                      const std::filesystem::path& scratch);

// Puts the backup's data (or, for a logical backup, an empty server's) into target.datadir.
Result<void> materialize(repo::Repository& repository, const repo::Manifest& manifest,
                         const ScratchTarget& target);

// Loads a logical backup into `server`; nothing for the other methods.
Result<void> load(repo::Repository& repository, const repo::Manifest& manifest,
                  const ScratchTarget& target, const ScratchServer& server);

// Scratch bytes the steps above need for `manifest`: its plaintext (a physical backup: the
// whole chain's, unpacked and prepared in place), plus an empty server's files for a logical
// load, plus core::kFreeSpaceMargin.
Result<std::uint64_t> scratch_bytes_needed(repo::Repository& repository,
                                           const repo::Manifest& manifest);

// An empty datadir made by mariadb-install-db, for a logical load.
inline constexpr std::uint64_t kEmptyServerBytes = 160ULL << 20;

}  // namespace dbkeep::restore
