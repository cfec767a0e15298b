#pragma once
// Retention of a set's archived binlog segments (docs/pitr.md, "Retention"): a segment is kept
// while a kept backup may need it to roll forward, that is, when it ends after the recorded
// binlog position of the oldest kept backup whose position lies in the archive. Older segments
// (and whole windows before that backup's) are deleted, oldest first. Pins keep their backup,
// so they keep its segments too.
//
// Never deleted: the archive's newest segment (the archiver resumes after it), and anything at
// all while no kept backup's position lies in the archive (the first base may be under way).
// A segment's index entry is deleted before its object: an interrupted prune leaves at worst
// an unlisted object, which the archiver removes when it starts.

#include <cstdint>
#include <string>
#include <vector>

#include "dbkeep/archive/archive_catalog.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::retention {

struct SegmentPruneEntry {
  std::string id;
  std::int64_t first_event_time = 0;
  std::int64_t last_event_time = 0;
  std::uint64_t stored_size = 0;
  bool keep = true;
  std::string reason;
  bool deleted = false;  // actually removed (never in a dry run)
};

// Decisions for every entry of `catalog`, in archive order. `kept_bases`: the set's backups
// retention keeps.
std::vector<SegmentPruneEntry> decide_archive_retention(
    const archive::ArchiveCatalog& catalog, const std::vector<repo::Manifest>& kept_bases);

// Deletes the entries not kept (index entry first, then the segment), oldest first.
Result<void> delete_unkept_segments(storage::Backend& backend, const std::string& set,
                                    const archive::ArchiveCatalog& catalog,
                                    std::vector<SegmentPruneEntry>& decisions);

}  // namespace dbkeep::retention
