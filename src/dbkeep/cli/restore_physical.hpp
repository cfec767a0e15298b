#pragma once
// `dbkeep restore ID --datadir DIR [--force] [--start]` for physical backups (mariabackup /
// xtrabackup): restore_command.cpp parses the flags and dispatches here.

#include <filesystem>

#include "dbkeep/cli/command.hpp"
#include "dbkeep/repo/manifest.hpp"

namespace dbkeep::cli {

struct PhysicalRestoreRequest {
  std::filesystem::path datadir;
  bool force = false;
  bool start = false;
};

Result<int> restore_physical_command(CommandContext& context, const repo::Manifest& manifest,
                                     const PhysicalRestoreRequest& request);

}  // namespace dbkeep::cli
