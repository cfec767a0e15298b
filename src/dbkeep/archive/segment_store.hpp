#pragma once
// Stores one segment: the binlog magic and the format description event of its file, then the
// byte range of the spool file that holds its events, streamed through the pipeline
// (compression, SHA-256, encryption by the backend); then the index entry. The entry is
// written only after the segment object is committed, so an entry always names a complete
// segment; a segment without an entry is a killed archiver's and is removed on the next start.

#include <cstdint>
#include <span>
#include <vector>

#include "dbkeep/archive/segment.hpp"
#include "dbkeep/core/compression.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::archive {

struct SegmentBytes {
  std::span<const std::byte> format_description;  // the whole event
  int spool_fd = -1;
  std::uint64_t from = 0;  // event bytes [from, to) of the spool file
  std::uint64_t to = 0;
};

// Fills entry.stored and writes both objects. `entry` has everything else set.
Result<void> store_segment(storage::Backend& backend, SegmentEntry& entry,
                           const SegmentBytes& bytes, const core::CodecOptions& codec);

}  // namespace dbkeep::archive
