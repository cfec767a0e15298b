#pragma once
// Splitting a table into chunks that workers dump in parallel: ranges of an integer primary
// key, as many as the table's size divided by the target chunk size. The first and last ranges
// are open-ended, so the plan stays complete even when it was computed outside the snapshot
// the rows are read in (rows below the minimum or above the maximum seen here still land in a
// chunk). Tables without an integer primary key are one chunk.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/logical/catalog.hpp"

namespace dbkeep::source::mysql::logical {

__extension__ typedef __int128 Int128;  // GCC builtin; holds any signed or unsigned BIGINT

struct Chunk {
  const TableInfo* table = nullptr;
  int number = 1;     // 1-based within the table
  std::string where;  // empty: the whole table
  std::uint64_t estimated_bytes = 0;
  Int128 width = 0;  // key values the range covers (chunk_queue.hpp); 0: not measured
};

struct KeyBounds {
  Int128 min = 0;
  Int128 max = 0;
};

// MIN and MAX of the table's integer chunk key; nullopt when it has none or the table is empty.
Result<std::optional<KeyBounds>> read_key_bounds(Connection& connection, const TableInfo& table);

// Pure: the key-range width that should give `target_bytes` of SQL, from `bytes_done` written
// for `width_done` key values so far; at most 4× away from `current` per step, at least 1.
Int128 adapted_range_width(Int128 width_done, std::uint64_t bytes_done, std::uint64_t target_bytes,
                           Int128 current);

// Decimal text of `value`.
std::string integer_text(Int128 value);

// Pure: chunk `count` ranges over [min, max] for `key` (count >= 1).
std::vector<std::string> range_conditions(const std::string& key, Int128 min, Int128 max,
                                          int count);

// Reads MIN/MAX of the key on `connection` when the table is larger than one chunk.
Result<std::vector<Chunk>> plan_chunks(Connection& connection, const TableInfo& table,
                                       std::uint64_t chunk_bytes);

}  // namespace dbkeep::source::mysql::logical
