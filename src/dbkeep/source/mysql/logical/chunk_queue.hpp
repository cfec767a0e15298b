#pragma once
// Hands chunks to the dump workers, cutting key ranges as it goes so each data file lands near
// the target size (`chunk_size`, counted in SQL bytes written, before compression).
//
// A table with an integer key larger than one chunk is cut into contiguous ranges: the first
// `key < b1`, then `b1 <= key < b2`, …, the last `key >= bn` (open ends: rows outside the
// MIN/MAX read at planning are never lost). The first ranges are sized from the estimate
// (DATA_LENGTH over the key span); every finished chunk reports the bytes it wrote, and the
// width of the next ranges is re-derived from the table's measured SQL bytes per key value
// (adapted_range_width in chunk_plan.hpp). Ranges already handed out keep their width, so with
// N workers the first N ranges of a table use the estimate. Other tables are one chunk.
// Tables come out largest first, so the pool ends evenly.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "dbkeep/source/mysql/logical/chunk_plan.hpp"

namespace dbkeep::source::mysql::logical {

class ChunkQueue {
 public:
  explicit ChunkQueue(std::uint64_t target_bytes) : target_bytes_(target_bytes) {}

  // The whole table as one chunk.
  void add_whole(const TableInfo& table);
  // The table cut into key ranges over `bounds` (one chunk when it fits the target).
  void add_ranges(const TableInfo& table, const KeyBounds& bounds);

  // The next chunk to dump, nullopt when all are handed out. Thread-safe.
  std::optional<Chunk> next();
  // A chunk is done and wrote `bytes` of SQL. Thread-safe.
  void finished(const Chunk& chunk, std::uint64_t bytes);

  // Chunks still to hand out, as estimated now (sizes the worker pool before dumping).
  [[nodiscard]] std::size_t estimated_chunks() const;
  [[nodiscard]] std::size_t handed_out() const;

 private:
  struct Entry {
    const TableInfo* table = nullptr;
    bool ranged = false;
    Int128 low = 0, max = 0, width = 0;  // next range starts at `low`
    int handed = 0;
    bool exhausted = false;
    Int128 width_done = 0;
    std::uint64_t bytes_done = 0;
  };
  void add(Entry entry);

  std::uint64_t target_bytes_;
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;  // largest table first
  std::size_t handed_out_ = 0;
};

}  // namespace dbkeep::source::mysql::logical
