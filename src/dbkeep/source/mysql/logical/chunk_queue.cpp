#include "dbkeep/source/mysql/logical/chunk_queue.hpp"

#include <algorithm>

#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::source::mysql::logical {
void ChunkQueue::add(Entry entry) {
  auto at = std::ranges::find_if(entries_, [&](const Entry& other) {
    return other.table->data_bytes < entry.table->data_bytes;
  });
  entries_.insert(at, entry);
}

void ChunkQueue::add_whole(const TableInfo& table) {
  add({.table = &table});
}

void ChunkQueue::add_ranges(const TableInfo& table, const KeyBounds& bounds) {
  const std::uint64_t wanted =
      target_bytes_ == 0 ? 1 : (table.data_bytes + target_bytes_ - 1) / target_bytes_;
  const Int128 span = bounds.max - bounds.min + 1;
  if (wanted <= 1 || span <= 1) {
    add_whole(table);
    return;
  }
  const Int128 width = std::max<Int128>(1, span / static_cast<Int128>(wanted));
  add({.table = &table, .ranged = true, .low = bounds.min, .max = bounds.max, .width = width});
}

std::optional<Chunk> ChunkQueue::next() {
  std::lock_guard lock(mutex_);
  for (auto& entry : entries_) {
    if (entry.exhausted) continue;
    Chunk chunk{entry.table, ++entry.handed, "", 0, 0};
    ++handed_out_;
    if (!entry.ranged) {
      entry.exhausted = true;
      chunk.estimated_bytes = entry.table->data_bytes;
      return chunk;
    }
    const std::string key = quote_identifier(entry.table->chunk_key);
    const Int128 high = entry.low + entry.width;
    const bool first = entry.handed == 1;
    if (high > entry.max) {
      // The last range: open above.
      chunk.where = first ? "" : key + " >= " + integer_text(entry.low);
      chunk.width = entry.max - entry.low + 1;
      entry.exhausted = true;
    } else {
      chunk.where = (first ? "" : key + " >= " + integer_text(entry.low) + " AND ") + key + " < " +
                    integer_text(high);
      chunk.width = entry.width;
      entry.low = high;
    }
    chunk.estimated_bytes = target_bytes_;
    return chunk;
  }
  return std::nullopt;
}

void ChunkQueue::finished(const Chunk& chunk, std::uint64_t bytes) {
  if (chunk.width <= 0) return;
  std::lock_guard lock(mutex_);
  for (auto& entry : entries_) {
    if (entry.table != chunk.table || !entry.ranged) continue;
    entry.width_done += chunk.width;
    entry.bytes_done += bytes;
    entry.width =
        adapted_range_width(entry.width_done, entry.bytes_done, target_bytes_, entry.width);
    return;
  }
}

std::size_t ChunkQueue::estimated_chunks() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& entry : entries_) {
    if (!entry.ranged) {
      ++count;
      continue;
    }
    const Int128 span = entry.max - entry.low + 1;
    count += static_cast<std::size_t>((span + entry.width - 1) / entry.width);
  }
  return count;
}

std::size_t ChunkQueue::handed_out() const {
  std::lock_guard lock(mutex_);
  return handed_out_;
}

}  // namespace dbkeep::source::mysql::logical
