#pragma once
// `dbkeep restore ID --datadir DIR [--force] [--start] [--binlog-info]`: the datadir half of
// the restore command (restore_command.cpp parses the shared flags and dispatches here).

#include <filesystem>

#include "dbkeep/cli/command.hpp"
#include "dbkeep/repo/manifest.hpp"

namespace dbkeep::cli {

struct DatadirRestoreRequest {
  std::filesystem::path datadir;
  bool force = false;
  bool start = false;
  bool binlog_info_only = false;
};

Result<int> restore_datadir_command(CommandContext& context, const repo::Manifest& manifest,
                                    const DatadirRestoreRequest& request);

}  // namespace dbkeep::cli
