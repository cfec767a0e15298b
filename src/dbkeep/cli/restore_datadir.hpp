#pragma once
// `dbkeep restore ID --datadir DIR [--force] [--start] [--binlog-info]`: the datadir half of
// the restore command (restore_command.cpp parses the shared flags and dispatches here).

#include <filesystem>

#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/restore_point_in_time.hpp"
#include "dbkeep/core/config.hpp"
#include "dbkeep/repo/manifest.hpp"

namespace dbkeep::cli {

struct DatadirRestoreRequest {
  std::filesystem::path datadir;
  bool force = false;
  bool start = false;
  bool binlog_info_only = false;
  // --to-time/--to-gtid/--to-latest: planned already; the base is restored, then a scratch
  // server on the datadir replays the archive into it and shuts down cleanly.
  std::optional<PointInTimePlan> point_in_time;
  bool dry_run = false;  // print the plan only
};

// The set's [set.restore] settings, or the defaults when the set is no longer configured.
core::RestoreConfig restore_settings_for(CommandContext& context, const std::string& set);

// Shared end of the snapshot and physical restores: with `start`, starts a server on `datadir`
// and waits until it answers (jobs/restored_server), else says how to start one; then prints
// `document` (--json) or `text` with that added.
Result<int> finish_datadir_restore(CommandContext& context, const repo::Manifest& manifest,
                                   const std::filesystem::path& datadir, bool start,
                                   nlohmann::json document, std::string text);

Result<int> restore_datadir_command(CommandContext& context, const repo::Manifest& manifest,
                                    const DatadirRestoreRequest& request);

}  // namespace dbkeep::cli
