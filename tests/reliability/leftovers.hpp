#pragma once
// What a run may leave behind, checked after the run that must have cleaned up: backup
// directories without a manifest, uncommitted temp objects, scratch directories, resource
// journal entries, snapshots and mounts.

#include <filesystem>
#include <string>
#include <vector>

namespace dbkeep::test::reliability {

struct LeftoverPlaces {
  std::filesystem::path repository;
  std::string set;
  std::vector<std::string> listed_ids;  // backups `list` shows for the set
  std::filesystem::path temp_dir;       // scratch directories dbkeep-<set>-*
  std::filesystem::path state_dir;      // <set>.resources.json, temp files
  std::filesystem::path snapshot_dir;   // empty: no snapshots expected there (may be unset)
  std::filesystem::path mounts_below;   // no mount may remain below it (may be unset)
};

// One line per leftover found; empty when the places are clean.
std::vector<std::string> find_leftovers(const LeftoverPlaces& places);

}  // namespace dbkeep::test::reliability
