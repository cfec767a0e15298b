#pragma once
// What a set's archive holds: its index entries in archive order, cut into windows of
// unbroken history, with the gaps between them named. `archive status`, the point-in-time
// restore and prune read it; nothing here connects to a server.
//
// Two neighbouring entries a, b are unbroken when b.follows == a.end and both come from the
// same server (server_id, and server_uuid on MySQL). Everything else is a gap: binary logs
// purged before they were archived, another server (failover, rebuild), an entry missing from
// the sequence, or a segment object missing from the repository.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dbkeep/archive/segment.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::archive {

struct ArchiveWindow {
  std::size_t first = 0;  // indexes into ArchiveCatalog::entries, inclusive
  std::size_t last = 0;
};

struct ArchiveGap {
  std::size_t before = 0;  // the last entry before the gap and the first one after it
  std::size_t after = 0;
  std::string reason;  // one sentence: what is missing and why the archive knows
};

struct ArchiveCatalog {
  std::vector<SegmentEntry> entries;  // in sequence order
  std::vector<ArchiveWindow> windows;
  std::vector<ArchiveGap> gaps;
  std::vector<std::string> problems;  // index entries that could not be read, with the reason
  // Segment objects with no index entry: a killed archiver's last write; the archiver removes
  // them when it starts.
  std::vector<std::string> orphan_objects;
  std::vector<std::string> stored_objects;  // the segment keys the repository holds

  [[nodiscard]] bool empty() const { return entries.empty(); }
  [[nodiscard]] const SegmentEntry& last() const { return entries.back(); }
  // The window holding `point` (an entry starts or ends at it, or it lies inside one), for
  // a base backup's recorded position.
  [[nodiscard]] std::optional<std::size_t> window_containing(const BinlogPoint& point,
                                                             std::uint32_t server_id) const;
  // The index of the entry whose events reach past `point`, in the window (first entry that
  // ends after it), or nullopt when the window ends at it.
  [[nodiscard]] std::optional<std::size_t> first_entry_after(const BinlogPoint& point,
                                                             const ArchiveWindow& window) const;
};

// Reads and analyses the archive of `set`.
Result<ArchiveCatalog> load_archive(storage::Backend& backend, const std::string& set);

// Cuts `entries` (sorted by sequence) into windows and gaps; `present_objects` are the segment
// keys the repository holds (an entry whose object is missing ends its window), `failed` the
// keys of segments `verify --archive` found damaged (they end their window too).
void analyse_archive(ArchiveCatalog& catalog, const std::vector<std::string>& present_objects,
                     const std::set<std::string>& failed = {});

// Analyses a loaded catalog again with these segments known to be damaged.
void exclude_failed_segments(ArchiveCatalog& catalog, const std::set<std::string>& failed);

}  // namespace dbkeep::archive
