// Chunk sizing for the logical dump: key ranges handed out one by one, their width adapted
// from the SQL bytes the finished chunks wrote (chunk_queue.hpp, adapted_range_width).

#include <gtest/gtest.h>

#include "dbkeep/source/mysql/logical/chunk_queue.hpp"

namespace dbkeep::source::mysql::logical {
namespace {

TEST(AdaptedRangeWidthTest, AimsAtTheTargetFromMeasuredBytesPerKeyValue) {
  // 1000 key values wrote 2 MiB; 1 MiB wanted: 500 values.
  EXPECT_EQ(static_cast<long long>(adapted_range_width(1000, 2 << 20, 1 << 20, 1000)), 500);
  // Rows four times smaller than estimated: four times wider.
  EXPECT_EQ(static_cast<long long>(adapted_range_width(1000, 256 << 10, 1 << 20, 1000)), 4000);
  // At most 4x per step either way, never below 1.
  EXPECT_EQ(static_cast<long long>(adapted_range_width(1000, 1, 1 << 20, 1000)), 4000);
  EXPECT_EQ(static_cast<long long>(adapted_range_width(1000, 1ULL << 40, 1 << 20, 1000)), 250);
  EXPECT_EQ(static_cast<long long>(adapted_range_width(1, 1ULL << 40, 1, 1)), 1);
  // Nothing measured yet: unchanged.
  EXPECT_EQ(static_cast<long long>(adapted_range_width(0, 0, 1 << 20, 700)), 700);
}

TableInfo table_of(std::uint64_t data_bytes, const std::string& name = "t") {
  TableInfo table;
  table.schema = "s";
  table.name = name;
  table.data_bytes = data_bytes;
  table.chunk_key = "id";
  return table;
}

TEST(ChunkQueueTest, RangesAreContiguousOpenEndedAndAdaptToMeasuredSize) {
  // Estimate: 10 MiB over ids 1..10000 at 1 MiB per chunk: ranges of 1000 ids.
  const TableInfo table = table_of(10 << 20);
  ChunkQueue queue(1 << 20);
  queue.add_ranges(table, {1, 10000});
  EXPECT_EQ(queue.estimated_chunks(), 10U);

  auto first = queue.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->where, "`id` < 1001");
  EXPECT_EQ(first->number, 1);
  // The SQL turned out half the estimate: 1000 ids wrote 512 KiB, so the next range doubles.
  queue.finished(*first, 512 << 10);
  auto second = queue.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->where, "`id` >= 1001 AND `id` < 3001");
  queue.finished(*second, 1 << 20);  // 3000 ids, 1.5 MiB in all: 2000 per MiB
  auto third = queue.next();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->where, "`id` >= 3001 AND `id` < 5001");
  EXPECT_EQ(queue.estimated_chunks(), 3U);  // 5001..10000 in ranges of 2000

  // Drain: the last range is open above, numbers run on, nothing is skipped.
  std::vector<Chunk> rest;
  while (auto chunk = queue.next()) rest.push_back(*chunk);
  ASSERT_EQ(rest.size(), 3U);
  EXPECT_EQ(rest[0].where, "`id` >= 5001 AND `id` < 7001");
  EXPECT_EQ(rest[1].where, "`id` >= 7001 AND `id` < 9001");
  EXPECT_EQ(rest[2].where, "`id` >= 9001");
  EXPECT_EQ(rest[2].number, 6);
  EXPECT_EQ(queue.handed_out(), 6U);
}

TEST(ChunkQueueTest, SmallTablesAreWholeAndLargestTablesComeFirst) {
  const TableInfo small = table_of(100, "small");
  const TableInfo keyless = table_of(50 << 20, "keyless");
  const TableInfo big = table_of(3 << 20, "big");
  ChunkQueue queue(1 << 20);
  queue.add_ranges(small, {1, 1000});  // fits one chunk
  queue.add_whole(keyless);
  queue.add_ranges(big, {1, 3});
  auto one = queue.next();
  ASSERT_TRUE(one);
  EXPECT_EQ(one->table, &keyless);
  EXPECT_EQ(one->where, "");
  std::vector<std::string> big_ranges;
  for (int i = 0; i < 3; ++i) {
    auto chunk = queue.next();
    ASSERT_TRUE(chunk);
    EXPECT_EQ(chunk->table, &big);
    big_ranges.push_back(chunk->where);
  }
  EXPECT_EQ(big_ranges,
            (std::vector<std::string>{"`id` < 2", "`id` >= 2 AND `id` < 3", "`id` >= 3"}));
  auto last = queue.next();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->table, &small);
  EXPECT_EQ(last->where, "");
  EXPECT_FALSE(queue.next());
}

}  // namespace
}  // namespace dbkeep::source::mysql::logical
