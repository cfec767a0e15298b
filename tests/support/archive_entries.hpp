#pragma once
// Index entries and catalogs for the archive's unit tests: entry `sequence` covering
// file:from..to of server 1, ten seconds of events each, stored a second after its last event.

#include <cstdint>
#include <string>
#include <vector>

#include "dbkeep/archive/archive_catalog.hpp"

namespace dbkeep::test {

inline archive::SegmentEntry segment_entry(std::uint64_t sequence, const std::string& file,
                                           std::uint64_t from, std::uint64_t to) {
  archive::SegmentEntry e;
  e.set = "main";
  e.host = "db1";
  e.sequence = sequence;
  e.follows = {file, from};
  e.file = file;
  e.start_position = from;
  e.end = {file, to};
  e.first_event_time = 1764800000 + static_cast<std::int64_t>(sequence) * 10;
  e.last_event_time = e.first_event_time + 9;
  e.stored_at = e.last_event_time + 1;
  e.server_id = 1;
  e.stored.stored_key = archive::segment_data_key("main", e.id(), core::Codec::kZstd);
  return e;
}

// The entries analysed as load_archive does, every segment object present.
inline archive::ArchiveCatalog analysed_catalog(std::vector<archive::SegmentEntry> entries) {
  archive::ArchiveCatalog catalog;
  std::vector<std::string> present;
  for (const auto& e : entries) present.push_back(e.stored.stored_key);
  catalog.entries = std::move(entries);
  catalog.stored_objects = present;
  archive::analyse_archive(catalog, present);
  return catalog;
}

}  // namespace dbkeep::test
