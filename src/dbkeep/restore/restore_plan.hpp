#pragma once
// What a restore will do, worked out before it writes anything: the backups and objects it
// fetches, where it writes, how much room that needs against what the filesystem has, and what
// it moves aside. `restore … --dry-run` prints it; every real restore checks require_room()
// first, so a restore that cannot fit is refused with both numbers, not found out half way
// (and never after it moved the old datadir aside).

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/restore/table_selection.hpp"

namespace dbkeep::restore {

// Room one step of a restore needs on one filesystem.
struct RestoreRoom {
  std::string what;  // "datadir", "scratch server", "target server"
  std::filesystem::path at;
  std::uint64_t needed_bytes = 0;
  std::optional<std::uint64_t> free_bytes;  // nullopt: not known here (a remote server)
};

struct RestorePlan {
  std::string set;
  std::string id;
  std::vector<std::string> chain;  // backups fetched, oldest first (physical: full first)
  std::size_t objects = 0;
  std::uint64_t stored_bytes = 0;          // fetched from the repository
  std::uint64_t plaintext_bytes = 0;       // after decompression
  std::string writes;                      // "datadir /srv/db", "server /run/mysqld.sock", …
  std::vector<RestoreRoom> rooms;          // every filesystem the restore writes to
  std::optional<std::string> moves_aside;  // what the restore moves aside, and where
  std::vector<std::string> notes;          // what the numbers do not say
};

// --datadir DIR (snapshot and physical backups): the chain's files, unpacked and prepared
// inside DIR for physical backups.
Result<RestorePlan> plan_datadir_restore(repo::Repository& repository,
                                         const repo::Manifest& manifest,
                                         const std::filesystem::path& datadir, bool force);

// --sqlite-path FILE: the database through a temporary file beside FILE.
Result<RestorePlan> plan_sqlite_restore(const repo::Manifest& manifest,
                                        const std::filesystem::path& file, bool force);

// --to-server (logical backups; `only` keeps the selected tables' data): the room is checked
// on the server's datadir when this host can see it (`server_datadir`, from @@datadir).
RestorePlan plan_server_restore(const repo::Manifest& manifest, const std::string& server,
                                const std::optional<TableSelection>& only,
                                const std::optional<std::filesystem::path>& server_datadir);

// --to-server --only from a snapshot or physical backup (restore/table_transfer.hpp): the
// backup on a scratch server under `scratch_parent`, the selected tables' dump beside it, and
// the selected tables on the target server (their size as the backup recorded it).
Result<RestorePlan> plan_selected_through_scratch(
    repo::Repository& repository, const repo::Manifest& manifest, const std::string& server,
    const TableSelection& only, const std::optional<std::filesystem::path>& server_datadir,
    const std::filesystem::path& scratch_parent);

// A kFailed error naming both numbers when a room of the plan does not fit.
Result<void> require_room(const RestorePlan& plan);

std::string describe_restore_plan(const RestorePlan& plan);  // human lines, "  fetch  …\n"
nlohmann::json restore_plan_to_json(const RestorePlan& plan);

}  // namespace dbkeep::restore
