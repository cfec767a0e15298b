// Which archived segments prune keeps (retention/archive_retention): those a kept backup needs.

#include "dbkeep/retention/archive_retention.hpp"

#include <gtest/gtest.h>

#include "dbkeep/repo/binlog_position.hpp"

namespace dbkeep::retention {
namespace {

archive::ArchiveCatalog catalog_of(int count) {
  archive::ArchiveCatalog catalog;
  std::vector<std::string> present;
  for (int i = 0; i < count; ++i) {
    archive::SegmentEntry e;
    e.set = "main";
    e.sequence = static_cast<std::uint64_t>(i + 1);
    e.file = "bin.000001";
    e.follows = {"bin.000001", static_cast<std::uint64_t>(4 + i * 1000)};
    e.start_position = e.follows.position;
    e.end = {"bin.000001", static_cast<std::uint64_t>(4 + (i + 1) * 1000)};
    e.server_id = 1;
    e.stored.stored_key = archive::segment_data_key("main", e.id(), core::Codec::kNone);
    present.push_back(e.stored.stored_key);
    catalog.entries.push_back(e);
  }
  archive::analyse_archive(catalog, present);
  return catalog;
}

repo::Manifest base_at(const std::string& id, std::uint64_t position) {
  repo::Manifest manifest;
  manifest.id = id;
  manifest.set = "main";
  repo::ReplicationPosition recorded;
  recorded.binlog_file = "bin.000001";
  recorded.binlog_position = position;
  recorded.server_id = 1;
  repo::record_binlog_position(manifest.facts, recorded);
  return manifest;
}

std::vector<bool> kept(const std::vector<SegmentPruneEntry>& decisions) {
  std::vector<bool> flags;
  for (const auto& decision : decisions) flags.push_back(decision.keep);
  return flags;
}

TEST(ArchiveRetentionTest, SegmentsBeforeTheOldestKeptBaseGo) {
  // Segments end at 1004, 2004, 3004, 4004, 5004; the oldest kept base is at 2500 (inside #3).
  auto decisions =
      decide_archive_retention(catalog_of(5), {base_at("new", 4500), base_at("old", 2500)});
  EXPECT_EQ(kept(decisions), (std::vector<bool>{false, false, true, true, true}));
  EXPECT_NE(decisions[0].reason.find("old"), std::string::npos) << decisions[0].reason;
}

TEST(ArchiveRetentionTest, WithoutABaseInTheArchiveEverythingStays) {
  auto decisions = decide_archive_retention(catalog_of(3), {base_at("elsewhere", 999999)});
  EXPECT_EQ(kept(decisions), (std::vector<bool>{true, true, true}));
  EXPECT_EQ(kept(decide_archive_retention(catalog_of(3), {})),
            (std::vector<bool>{true, true, true}));
}

TEST(ArchiveRetentionTest, TheNewestSegmentStaysEvenWhenTheBaseIsAtItsEnd) {
  auto decisions = decide_archive_retention(catalog_of(3), {base_at("latest", 3004)});
  EXPECT_EQ(kept(decisions), (std::vector<bool>{false, false, true}));
}

}  // namespace
}  // namespace dbkeep::retention
