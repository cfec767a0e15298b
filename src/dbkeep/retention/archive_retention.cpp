#include "dbkeep/retention/archive_retention.hpp"

#include <optional>

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/binlog_position.hpp"

namespace dbkeep::retention {

std::vector<SegmentPruneEntry> decide_archive_retention(
    const archive::ArchiveCatalog& catalog, const std::vector<repo::Manifest>& kept_bases) {
  std::vector<SegmentPruneEntry> decisions;
  for (const auto& entry : catalog.entries) {
    decisions.push_back({.id = entry.id(),
                         .first_event_time = entry.first_event_time,
                         .last_event_time = entry.last_event_time,
                         .stored_size = entry.stored.stored_size});
  }
  if (decisions.empty()) return decisions;

  // The first entry any kept base needs: the earliest over all bases in the archive.
  std::optional<std::size_t> first_needed;
  const repo::Manifest* oldest = nullptr;
  for (const auto& base : kept_bases) {
    auto position = repo::read_binlog_position(base);
    if (!position || position->binlog_file.empty()) continue;
    archive::BinlogPoint point{position->binlog_file, position->binlog_position};
    auto window = catalog.window_containing(point, position->server_id);
    if (!window) continue;
    auto first = catalog.first_entry_after(point, catalog.windows[*window]);
    std::size_t needed = first ? *first : catalog.windows[*window].last + 1;
    if (!first_needed || needed < *first_needed) {
      first_needed = needed;
      oldest = &base;
    }
  }
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    auto& decision = decisions[i];
    if (i + 1 == decisions.size()) {
      decision.reason = "the archive's newest segment (archiving resumes after it)";
    } else if (!first_needed) {
      decision.reason = "no kept backup's binlog position is in the archive yet";
    } else if (i >= *first_needed) {
      decision.reason = "needed to roll backup " + oldest->id + " or a newer one forward";
    } else {
      decision.keep = false;
      decision.reason = "older than the position of backup " + oldest->id +
                        ", the oldest kept backup in the archive";
    }
  }
  return decisions;
}

Result<void> delete_unkept_segments(storage::Backend& backend, const std::string& set,
                                    const archive::ArchiveCatalog& catalog,
                                    std::vector<SegmentPruneEntry>& decisions) {
  std::uint64_t count = 0, bytes = 0;
  for (std::size_t i = 0; i < decisions.size() && i < catalog.entries.size(); ++i) {
    auto& decision = decisions[i];
    if (decision.keep) continue;
    const auto& entry = catalog.entries[i];
    auto removed = backend.remove(archive::segment_index_key(set, entry.id()));
    if (removed) removed = backend.remove(entry.stored.stored_key);
    if (!removed) {
      return propagate(removed.error().with_context("prune of set '" + set +
                                                    "' stopped at archived segment " + entry.id() +
                                                    " (the next prune goes on from there)"));
    }
    decision.deleted = true;
    ++count;
    bytes += entry.stored.stored_size;
  }
  if (count > 0) {
    log::info("pruned " + std::to_string(count) + " archived segments of set '" + set + "' (" +
              core::format_bytes(bytes) + ")");
  }
  return {};
}

}  // namespace dbkeep::retention
