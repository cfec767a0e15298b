#pragma once
// Figures about one backup set for `dbkeep stats`: how many backups, how big, how well they
// compress, and how much the retention policy would free. Reads only; takes no lock, so it
// looks at complete backups only (a running backup's objects are not counted).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/repository.hpp"

namespace dbkeep::retention {

struct SetStats {
  std::string set;
  std::size_t backups = 0;
  std::size_t pinned = 0;
  std::uint64_t size = 0;         // bytes read from the source, summed over backups
  std::uint64_t stored_size = 0;  // bytes stored in the repository, summed
  std::optional<core::Seconds> oldest;
  std::optional<core::Seconds> newest;
  std::size_t prunable = 0;           // backups the policy would delete now
  std::uint64_t prunable_bytes = 0;   // their stored bytes
  std::vector<std::string> problems;  // unreadable manifests

  // size / stored_size (e.g. 3.2 means stored at under a third); nullopt when nothing stored.
  [[nodiscard]] std::optional<double> compression_ratio() const;
};

Result<SetStats> collect_stats(repo::Repository& repository, const core::SetConfig& set);

}  // namespace dbkeep::retention
