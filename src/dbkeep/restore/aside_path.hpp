#pragma once
// Where a restore moves what it replaces: "<target>.before-restore-<UTC stamp>", with "_2",
// "_3", … when that name is taken (two restores in one second).

#include <filesystem>
#include <string>

#include "dbkeep/core/time_format.hpp"

namespace dbkeep::restore {

inline std::filesystem::path unused_aside_path(const std::filesystem::path& target) {
  const std::string base =
      target.string() + ".before-restore-" + core::format_compact_utc(core::now_seconds());
  std::filesystem::path aside = base;
  for (int suffix = 2; std::filesystem::exists(aside); ++suffix) {
    aside = base + "_" + std::to_string(suffix);
  }
  return aside;
}

}  // namespace dbkeep::restore
