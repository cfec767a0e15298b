#include "dbkeep/archive/archive_catalog.hpp"

#include <algorithm>
#include <set>

#include "dbkeep/core/bounded_json.hpp"

namespace dbkeep::archive {
namespace {

bool contains(const SegmentEntry& entry, const BinlogPoint& point) {
  if (point == entry.follows || point == entry.end) return true;
  return entry.file == point.file && entry.start_position <= point.position &&
         point.position <= entry.end.position;
}

// Why b does not continue a, or "" when it does.
std::string break_between(const SegmentEntry& a, const SegmentEntry& b) {
  if (b.sequence != a.sequence + 1) {
    return "index entries " + std::to_string(a.sequence + 1) + " to " +
           std::to_string(b.sequence - 1) + " are missing from the repository";
  }
  if (a.server_id != b.server_id || a.server_uuid != b.server_uuid) {
    return "the archived server changed (server_id " + std::to_string(a.server_id) +
           (a.server_uuid.empty() ? "" : " " + a.server_uuid) + " → " +
           std::to_string(b.server_id) + (b.server_uuid.empty() ? "" : " " + b.server_uuid) +
           "): a failover or a rebuilt server; take a new base backup";
  }
  if (!(b.follows == a.end)) {
    return "the binary log from " + a.end.text() + " to " + b.follows.text() +
           " was never archived (purged on the server before the archiver read it, or the "
           "server's binary logs were reset)";
  }
  return "";
}

}  // namespace

std::optional<std::size_t> ArchiveCatalog::window_containing(const BinlogPoint& point,
                                                             std::uint32_t server_id) const {
  for (std::size_t w = 0; w < windows.size(); ++w) {
    for (std::size_t i = windows[w].first; i <= windows[w].last; ++i) {
      if (server_id != 0 && entries[i].server_id != server_id) break;
      if (contains(entries[i], point)) return w;
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> ArchiveCatalog::first_entry_after(const BinlogPoint& point,
                                                             const ArchiveWindow& window) const {
  for (std::size_t i = window.first; i <= window.last; ++i) {
    if (!contains(entries[i], point)) continue;
    if (point == entries[i].end) {
      return i < window.last ? std::optional<std::size_t>(i + 1) : std::nullopt;
    }
    return i;
  }
  return std::nullopt;
}

void analyse_archive(ArchiveCatalog& catalog, const std::vector<std::string>& present_objects,
                     const std::set<std::string>& failed) {
  std::set<std::string> present(present_objects.begin(), present_objects.end());
  std::ranges::sort(catalog.entries, {}, &SegmentEntry::sequence);
  catalog.windows.clear();
  catalog.gaps.clear();
  // A plain flag and index rather than std::optional: g++ 12 at -O3 reports the optional's
  // payload as maybe-uninitialized inside the lambda (a false positive that -Werror turns fatal).
  bool window_open = false;
  std::size_t window_start = 0;
  auto close_window = [&](std::size_t last) {
    if (window_open) catalog.windows.push_back({window_start, last});
    window_open = false;
  };
  for (std::size_t i = 0; i < catalog.entries.size(); ++i) {
    const auto& entry = catalog.entries[i];
    const bool missing = !present.contains(entry.stored.stored_key);
    if (missing || failed.contains(entry.stored.stored_key)) {
      if (window_open) close_window(i - 1);
      catalog.gaps.push_back({i == 0 ? 0 : i - 1, i,
                              "segment " + entry.id() + " (" + entry.follows.text() + " to " +
                                  entry.end.text() +
                                  (missing ? ") is missing from the repository"
                                           : ") failed verification (verify --archive)")});
      continue;
    }
    if (window_open) {
      auto reason = break_between(catalog.entries[i - 1], entry);
      if (!reason.empty()) {
        close_window(i - 1);
        catalog.gaps.push_back({i - 1, i, reason});
      }
    }
    if (!window_open) {
      window_open = true;
      window_start = i;
    }
  }
  if (window_open) close_window(catalog.entries.size() - 1);
}

Result<ArchiveCatalog> load_archive(storage::Backend& backend, const std::string& set) {
  ArchiveCatalog catalog;
  TRY_ASSIGN(auto objects, backend.list(archive_prefix(set)));
  std::vector<std::string> data_keys;
  for (const auto& object : objects) {
    if (object.key.ends_with(".json")) {
      auto text = storage::read_all(backend, object.key);
      if (!text) {
        catalog.problems.push_back(object.key + ": " + text.error().message);
        continue;
      }
      auto document = core::parse_bounded_json(*text);
      if (!document) {
        catalog.problems.push_back(object.key + " " + core::describe(document.error()));
        continue;
      }
      auto entry = segment_from_json(*document, object.key);
      if (!entry) {
        catalog.problems.push_back(entry.error().message);
        continue;
      }
      catalog.entries.push_back(std::move(*entry));
    } else if (object.key.find(".binlog") != std::string::npos) {
      data_keys.push_back(object.key);
    }
  }
  std::set<std::string> indexed;
  for (const auto& entry : catalog.entries) indexed.insert(entry.stored.stored_key);
  for (const auto& key : data_keys) {
    if (!indexed.contains(key)) catalog.orphan_objects.push_back(key);
  }
  catalog.stored_objects = data_keys;
  analyse_archive(catalog, data_keys);
  return catalog;
}

void exclude_failed_segments(ArchiveCatalog& catalog, const std::set<std::string>& failed) {
  if (failed.empty()) return;
  analyse_archive(catalog, catalog.stored_objects, failed);
}

}  // namespace dbkeep::archive
