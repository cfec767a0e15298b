#pragma once
// Checks a stored backup: every file is read back, decompressed, and compared with the size and
// SHA-256 its manifest recorded. SQLite databases are also restored to a temporary file and
// must pass PRAGMA integrity_check. Problems are collected, not thrown: one report per backup.

#include <filesystem>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::verify {

struct VerifyReport {
  std::string set;
  std::string id;
  std::size_t files_checked = 0;
  std::uint64_t bytes_checked = 0;
  std::vector<std::string> problems;  // one per bad file, naming it
  [[nodiscard]] bool ok() const { return problems.empty(); }
};

VerifyReport verify_backup(storage::Backend& backend, const repo::Manifest& manifest,
                           const std::filesystem::path& temp_dir);

}  // namespace dbkeep::verify
