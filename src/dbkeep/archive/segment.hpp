#pragma once
// One archived piece of a MySQL server's binary log and its index entry. Layout in the
// repository (docs/pitr.md):
//
//   <set>/archive/<id>.binlog[.zst|.gz]   the segment: "\xfebin", the format description event
//                                         of its binlog file, then complete events copied
//                                         unchanged (a binlog file fragment)
//   <set>/archive/<id>.json               its index entry, written after the segment; a
//                                         segment counts only once its entry exists
//
// <id> is the archive's sequence number (10 digits, so keys sort in archive order), the binlog
// file name and the segment's first event position: "0000000042-bin.000007-000000004711".

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/pipeline/store.hpp"

namespace dbkeep::archive {

inline constexpr int kSegmentFormat = 1;

// A place in one server's binary log: the offset just after an event in `file`.
struct BinlogPoint {
  std::string file;
  std::uint64_t position = 0;
  bool operator==(const BinlogPoint&) const = default;
  [[nodiscard]] std::string text() const { return file + ":" + std::to_string(position); }
};

struct SegmentEntry {
  std::string set;
  std::string host;            // the host the archiver ran on
  std::uint64_t sequence = 0;  // 1, 2, 3… per set, in archive order
  // Where the archive was before this segment's first event. Equal to the previous segment's
  // `end` exactly when nothing is missing between them (the archiver sets it only when it read
  // on without a break; after a purge or a server change it is the new start, so a gap shows).
  BinlogPoint follows;
  std::string file;                   // binlog file of the events (the last one's, after a rotate)
  std::uint64_t start_position = 0;   // where the first event starts in `file`
  BinlogPoint end;                    // just after the last event
  std::int64_t first_event_time = 0;  // seconds since the epoch, UTC
  std::int64_t last_event_time = 0;
  std::uint64_t events = 0;
  std::uint64_t transactions = 0;  // transactions that end in this segment
  std::string first_gtid;          // of the first and last transaction ending here; may be empty
  std::string last_gtid;
  std::uint32_t server_id = 0;  // the archived server's @@server_id
  std::string server_uuid;      // MySQL @@server_uuid; empty on MariaDB
  std::int64_t stored_at = 0;   // when the archiver stored it
  pipeline::StoredFile stored;  // the segment object: key, sizes, SHA-256, codec

  [[nodiscard]] std::string id() const;
};

std::string archive_prefix(const std::string& set);
std::string segment_data_key(const std::string& set, const std::string& id, core::Codec codec);
std::string segment_index_key(const std::string& set, const std::string& id);

nlohmann::json segment_to_json(const SegmentEntry& entry);
// Reads an index entry; `where` names the object in errors.
Result<SegmentEntry> segment_from_json(const nlohmann::json& document, const std::string& where);

// "bin.000042" → 42, with the base name in `base`; nullopt for a name without a numeric suffix.
std::optional<std::uint64_t> binlog_file_number(const std::string& file, std::string* base);

}  // namespace dbkeep::archive
