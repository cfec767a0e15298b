#pragma once
// `dbkeep verify` over a set's archive: every segment is read back, decompressed (and
// decrypted), its SHA-256 and size compared with its index entry, and its bytes walked event
// by event: the binlog magic number, then whole events whose sizes add up to the segment.

#include <cstdint>
#include <string>
#include <vector>

#include "dbkeep/archive/archive_catalog.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::archive {

struct ArchiveVerifyReport {
  std::string set;
  std::size_t segments_checked = 0;
  std::uint64_t bytes_checked = 0;        // plaintext bytes read
  std::vector<std::string> problems;      // one per bad segment, naming it; gaps and unreadable
                                          // index entries too
  std::vector<std::size_t> bad_segments;  // catalog entries whose segment failed
  [[nodiscard]] bool ok() const { return problems.empty(); }
};

ArchiveVerifyReport verify_archive(storage::Backend& backend, const ArchiveCatalog& catalog,
                                   const std::string& set);

}  // namespace dbkeep::archive
