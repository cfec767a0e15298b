#pragma once
// Directories only their owner can enter. The repository, the state directory (locks, runs,
// journals, load progress) and scratch directories hold what the database holds, password
// hashes included, so dbkeep creates them 0700 — as restic and pgBackRest do.

#include <filesystem>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

// mkdir -p in which every directory created is exactly 0700, whatever the umask. Directories
// that exist already are left as they are (an operator may have opened one on purpose).
Result<void> create_private_directories(const std::filesystem::path& directory);

}  // namespace dbkeep::core
