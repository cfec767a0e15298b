// The archive's windows and gaps (archive/archive_catalog), the resume check the archiver makes
// before every connection (archive/resume_point), and the index entry's JSON round trip.

#include "dbkeep/archive/archive_catalog.hpp"

#include <gtest/gtest.h>

#include "dbkeep/archive/resume_point.hpp"
#include "support/archive_entries.hpp"

namespace dbkeep::archive {
namespace {

// Entry `sequence` covering file:from..to of server 1.
SegmentEntry entry(std::uint64_t sequence, const std::string& file, std::uint64_t from,
                   std::uint64_t to) {
  return test::segment_entry(sequence, file, from, to);
}

ArchiveCatalog analysed(std::vector<SegmentEntry> entries) {
  return test::analysed_catalog(std::move(entries));
}

TEST(ArchiveCatalogTest, ContiguousEntriesAreOneWindow) {
  auto catalog = analysed({entry(1, "bin.000001", 4, 500), entry(2, "bin.000001", 500, 900),
                           entry(3, "bin.000002", 4, 300)});
  // The rotation: entry 3 follows bin.000002:4 because the archiver read on without a break.
  catalog.entries[2].follows = {"bin.000001", 900};
  analyse_archive(catalog,
                  {catalog.entries[0].stored.stored_key, catalog.entries[1].stored.stored_key,
                   catalog.entries[2].stored.stored_key});
  ASSERT_EQ(catalog.windows.size(), 1U);
  EXPECT_TRUE(catalog.gaps.empty());
  EXPECT_EQ(catalog.windows[0].first, 0U);
  EXPECT_EQ(catalog.windows[0].last, 2U);
  EXPECT_EQ(catalog.window_containing({"bin.000001", 700}, 1), 0U);
  EXPECT_EQ(catalog.first_entry_after({"bin.000001", 500}, catalog.windows[0]), 1U);
  EXPECT_FALSE(catalog.first_entry_after({"bin.000002", 300}, catalog.windows[0]));
}

TEST(ArchiveCatalogTest, AnEntryThatDoesNotFollowItsPredecessorIsAGap) {
  auto catalog = analysed({entry(1, "bin.000001", 4, 500), entry(2, "bin.000003", 4, 200)});
  ASSERT_EQ(catalog.windows.size(), 2U);
  ASSERT_EQ(catalog.gaps.size(), 1U);
  EXPECT_EQ(catalog.gaps[0].before, 0U);
  EXPECT_EQ(catalog.gaps[0].after, 1U);
  EXPECT_NE(catalog.gaps[0].reason.find("bin.000001:500"), std::string::npos)
      << catalog.gaps[0].reason;
  EXPECT_FALSE(catalog.window_containing({"bin.000002", 100}, 1));
}

TEST(ArchiveCatalogTest, AHoleInTheSequenceIsAGap) {
  auto catalog = analysed({entry(1, "bin.000001", 4, 500), entry(3, "bin.000001", 900, 1200)});
  catalog.entries[1].follows = {"bin.000001", 500};  // even if it claims to follow
  analyse_archive(catalog,
                  {catalog.entries[0].stored.stored_key, catalog.entries[1].stored.stored_key});
  ASSERT_EQ(catalog.gaps.size(), 1U);
  EXPECT_EQ(catalog.windows.size(), 2U);
}

TEST(ArchiveCatalogTest, AnotherServerIsAGap) {
  auto first = entry(1, "bin.000001", 4, 500);
  auto second = entry(2, "bin.000001", 500, 900);
  second.server_id = 2;
  auto catalog = analysed({first, second});
  ASSERT_EQ(catalog.gaps.size(), 1U);
  EXPECT_NE(catalog.gaps[0].reason.find("server"), std::string::npos) << catalog.gaps[0].reason;
}

TEST(ArchiveCatalogTest, AMissingSegmentObjectEndsItsWindow) {
  ArchiveCatalog catalog;
  catalog.entries = {entry(1, "bin.000001", 4, 500), entry(2, "bin.000001", 500, 900),
                     entry(3, "bin.000001", 900, 1300)};
  analyse_archive(catalog,
                  {catalog.entries[0].stored.stored_key, catalog.entries[2].stored.stored_key});
  EXPECT_FALSE(catalog.gaps.empty());
  // Nothing can be replayed through entry 2.
  for (const auto& window : catalog.windows) {
    EXPECT_FALSE(window.first <= 1 && window.last >= 1 && window.first != window.last)
        << "a window spans the missing segment";
  }
}

TEST(SegmentEntryTest, JsonRoundTripKeepsEveryField) {
  auto original = entry(42, "mysql-bin.000007", 4711, 9000);
  original.events = 12;
  original.transactions = 3;
  original.first_gtid = "0-1-10";
  original.last_gtid = "0-1-12";
  original.server_uuid = "";
  original.stored_at = 1764800500;
  original.stored.size = 4296;
  original.stored.stored_size = 1000;
  original.stored.codec = core::Codec::kZstd;
  original.stored.stored_sha256 = std::string(64, 'a');
  EXPECT_EQ(original.id(), "0000000042-mysql-bin.000007-000000004711");
  EXPECT_EQ(segment_index_key("main", original.id()),
            "main/archive/0000000042-mysql-bin.000007-000000004711.json");
  auto parsed = segment_from_json(segment_to_json(original), "test");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(segment_to_json(*parsed), segment_to_json(original));
}

TEST(SegmentEntryTest, AnEntryWithoutItsPositionsIsRefused) {
  auto document = segment_to_json(entry(1, "bin.000001", 4, 500));
  document.erase("end");
  auto parsed = segment_from_json(document, "main/archive/x.json");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("main/archive/x.json"), std::string::npos);
}

ServerHistory server_with(std::uint64_t size, std::string gtid = "0-1-50") {
  ServerHistory server;
  server.server_id = 1;
  server.binlogs = {{"bin.000006", 100000}, {"bin.000007", size}};
  server.gtid_binlog_pos = std::move(gtid);
  return server;
}

TEST(ResumePointTest, TheSameHistoryContinues) {
  ArchivedEnd end{{"bin.000007", 9000}, 1, "", "0-1-42"};
  EXPECT_EQ(resume_problem(end, server_with(9000)), "");
  EXPECT_EQ(resume_problem(end, server_with(20000, "1-5-3,0-1-42")), "");
  EXPECT_EQ(resume_problem({{"bin.000007", 9000}, 0, "", ""}, server_with(9000)), "")
      << "an archive without a last transaction has nothing to compare";
}

TEST(ResumePointTest, APurgedFileIsAProblem) {
  ArchivedEnd end{{"bin.000005", 9000}, 1, "", "0-1-42"};
  EXPECT_NE(resume_problem(end, server_with(9000)).find("purged"), std::string::npos);
}

TEST(ResumePointTest, AShorterFileOrAGtidBehindMeansTheLogsWereReset) {
  ArchivedEnd end{{"bin.000007", 9000}, 1, "", "0-1-42"};
  EXPECT_NE(resume_problem(end, server_with(500)).find("reset"), std::string::npos);
  EXPECT_NE(resume_problem(end, server_with(20000, "0-1-7")).find("reset"), std::string::npos);
  EXPECT_NE(resume_problem(end, server_with(20000, "")).find("reset"), std::string::npos);
}

TEST(ResumePointTest, AnotherServerIsAProblem) {
  ArchivedEnd end{{"bin.000007", 9000}, 2, "", "0-2-42"};
  EXPECT_NE(resume_problem(end, server_with(9000)).find("another"), std::string::npos);
}

}  // namespace
}  // namespace dbkeep::archive
