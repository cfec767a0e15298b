// Point-in-time targets and plans (archive/replay_plan) and the transaction boundaries replay
// cuts at (archive/binlog_events): what is refused before anything is written.

#include "dbkeep/archive/replay_plan.hpp"

#include <gtest/gtest.h>

#include "dbkeep/archive/binlog_events.hpp"
#include "dbkeep/repo/binlog_position.hpp"

namespace dbkeep::archive {
namespace {

constexpr std::int64_t kNoon = 1764849600;  // 2025-12-04 12:00:00 UTC

TEST(ReplayTargetTest, TimesAreUtcUnlessTheySayOtherwise) {
  auto utc = parse_replay_target("2025-12-04 12:00:00", std::nullopt, false);
  ASSERT_TRUE(utc && *utc) << (utc ? "" : utc.error().message);
  EXPECT_EQ((*utc)->kind, TargetKind::kTime);
  EXPECT_EQ((*utc)->time, kNoon);
  auto zulu = parse_replay_target("2025-12-04 12:00:00Z", std::nullopt, false);
  ASSERT_TRUE(zulu && *zulu);
  EXPECT_EQ((*zulu)->time, kNoon);
  auto berlin = parse_replay_target("2025-12-04 13:00:00+01:00", std::nullopt, false);
  ASSERT_TRUE(berlin && *berlin);
  EXPECT_EQ((*berlin)->time, kNoon);
  auto new_york = parse_replay_target("2025-12-04 07:00:00-05:00", std::nullopt, false);
  ASSERT_TRUE(new_york && *new_york);
  EXPECT_EQ((*new_york)->time, kNoon);
}

TEST(ReplayTargetTest, BadOrConflictingTargetsAreUsageErrors) {
  for (const char* bad : {"yesterday", "2025-12-04", "2025-13-04 12:00:00", "2025-12-04 12:00",
                          "2025-12-04 12:00:00+25:00", "2025-12-04 12:00:00 CET"}) {
    auto parsed = parse_replay_target(std::string(bad), std::nullopt, false);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kUsage) << bad;
  }
  auto two = parse_replay_target("2025-12-04 12:00:00", "0-1-5", false);
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().kind, ErrorKind::kUsage);
  auto none = parse_replay_target(std::nullopt, std::nullopt, false);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto latest = parse_replay_target(std::nullopt, std::nullopt, true);
  ASSERT_TRUE(latest && *latest);
  EXPECT_EQ((*latest)->kind, TargetKind::kLatest);
}

SegmentEntry entry(std::uint64_t sequence, std::uint64_t from, std::uint64_t to,
                   std::int64_t first_time) {
  SegmentEntry e;
  e.set = "main";
  e.sequence = sequence;
  e.follows = {"bin.000001", from};
  e.file = "bin.000001";
  e.start_position = from;
  e.end = {"bin.000001", to};
  e.first_event_time = first_time;
  e.last_event_time = first_time + 9;
  e.server_id = 1;
  e.stored.stored_key = segment_data_key("main", e.id(), core::Codec::kZstd);
  e.stored.size = to - from;
  return e;
}

// Two windows: bin.000001 4..3000 (noon to 12:00:29) and, after a gap, 9000..9500.
ArchiveCatalog catalog() {
  ArchiveCatalog catalog;
  catalog.entries = {entry(1, 4, 1000, kNoon), entry(2, 1000, 3000, kNoon + 10),
                     entry(3, 3000, 3000 + 1, kNoon + 20), entry(4, 9000, 9500, kNoon + 40)};
  catalog.entries[2].end.position = 3000 + 1;
  std::vector<std::string> present;
  for (const auto& e : catalog.entries) present.push_back(e.stored.stored_key);
  analyse_archive(catalog, present);
  return catalog;
}

repo::Manifest base_at(std::uint64_t position, std::int64_t started) {
  repo::Manifest manifest;
  manifest.id = "20251204_120000";
  manifest.set = "main";
  manifest.method = core::Method::kLogical;
  manifest.source = core::SourceKind::kMysql;
  manifest.started_at = core::Seconds(std::chrono::seconds(started));
  repo::ReplicationPosition recorded;
  recorded.binlog_file = "bin.000001";
  recorded.binlog_position = position;
  recorded.server_id = 1;
  repo::record_binlog_position(manifest.facts, recorded);
  return manifest;
}

TEST(ReplayPlanTest, ATimeInsideTheWindowListsTheSegmentsUpToIt) {
  ReplayTarget target{TargetKind::kTime, kNoon + 12, ""};
  auto plan = plan_replay(catalog(), base_at(500, kNoon), target);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->from.text(), "bin.000001:500");
  EXPECT_EQ(plan->segments, (std::vector<std::size_t>{0, 1}));
}

TEST(ReplayPlanTest, ABaseTakenAfterTheTargetIsRefused) {
  ReplayTarget target{TargetKind::kTime, kNoon + 5, ""};
  auto plan = plan_replay(catalog(), base_at(1000, kNoon + 10), target);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("after the target"), std::string::npos)
      << plan.error().message;
}

TEST(ReplayPlanTest, ATargetBeyondAGapIsRefusedNamingIt) {
  for (auto target : {ReplayTarget{TargetKind::kTime, kNoon + 45, ""},
                      ReplayTarget{TargetKind::kLatest, 0, ""}}) {
    auto plan = plan_replay(catalog(), base_at(500, kNoon), target);
    ASSERT_FALSE(plan) << target.describe();
    EXPECT_EQ(plan.error().kind, ErrorKind::kUsage);
    EXPECT_NE(plan.error().message.find("gap"), std::string::npos) << plan.error().message;
  }
}

TEST(ReplayPlanTest, ABasePositionOutsideTheArchiveIsRefused) {
  auto plan = plan_replay(catalog(), base_at(5000, kNoon), ReplayTarget{});
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message.find("not in the archive"), std::string::npos)
      << plan.error().message;
}

TEST(ReplayPlanTest, ChooseBaseTakesTheNewestThatReachesTheTarget) {
  auto newer = base_at(9100, kNoon + 41);
  newer.id = "20251204_120041";
  auto older = base_at(500, kNoon);
  ReplayTarget inside_first{TargetKind::kTime, kNoon + 15, ""};
  auto chosen = choose_base(catalog(), {newer, older}, inside_first);
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ(chosen->id, older.id);
  auto latest = choose_base(catalog(), {newer, older}, ReplayTarget{});
  ASSERT_TRUE(latest) << latest.error().message;
  EXPECT_EQ(latest->id, newer.id);
}

// Event bytes: a 19-byte header (timestamp, type, server id, size, end position, flags), then
// the body; `checksum` adds the 4-byte trailer to the size.
std::vector<std::byte> event(EventType type, std::uint32_t time, std::vector<std::uint8_t> body,
                             std::uint32_t end = 0, std::uint16_t flags = 0) {
  std::vector<std::uint8_t> bytes(19);
  auto put32 = [&](std::size_t at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
  };
  const auto size = static_cast<std::uint32_t>(19 + body.size() + 4);
  put32(0, time);
  bytes[4] = static_cast<std::uint8_t>(type);
  put32(5, 1);
  put32(9, size);
  put32(13, end);
  bytes[17] = static_cast<std::uint8_t>(flags);
  bytes[18] = static_cast<std::uint8_t>(flags >> 8);
  bytes.insert(bytes.end(), body.begin(), body.end());
  bytes.insert(bytes.end(), 4, 0);  // CRC trailer (not checked here)
  std::vector<std::byte> out(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = std::byte{bytes[i]};
  return out;
}

// A MariaDB GTID event body: sequence (8), domain (4), flags (1).
std::vector<std::uint8_t> gtid_body(std::uint64_t sequence, std::uint32_t domain,
                                    std::uint8_t flags) {
  std::vector<std::uint8_t> body;
  for (int i = 0; i < 8; ++i) body.push_back(static_cast<std::uint8_t>(sequence >> (8 * i)));
  for (int i = 0; i < 4; ++i) body.push_back(static_cast<std::uint8_t>(domain >> (8 * i)));
  body.push_back(flags);
  body.resize(body.size() + 6);
  return body;
}

EventPlace feed(TransactionTracker& tracker, const std::vector<std::byte>& bytes) {
  auto header = parse_event_header(bytes);
  EXPECT_TRUE(header);
  return tracker.feed(*header, bytes);
}

TEST(BinlogEventsTest, HeadersParseAndImpossibleSizesAreRefused) {
  auto bytes = event(EventType::kXid, 1234, std::vector<std::uint8_t>(8), 999);
  auto header = parse_event_header(bytes);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->timestamp, 1234U);
  EXPECT_TRUE(header->is(EventType::kXid));
  EXPECT_EQ(header->size, bytes.size());
  EXPECT_EQ(header->end_position, 999U);
  EXPECT_EQ(header->start_position(), 999U - bytes.size());
  EXPECT_FALSE(parse_event_header(std::span(bytes).first(18)));
  bytes[9] = std::byte{3};  // size 3: below the header's own size
  bytes[10] = bytes[11] = bytes[12] = std::byte{0};
  EXPECT_FALSE(parse_event_header(bytes));
}

TEST(BinlogEventsTest, ATransactionEndsAtItsXidAndItsGtidIsKnown) {
  TransactionTracker tracker;
  tracker.set_checksum(true);
  EXPECT_EQ(feed(tracker, event(EventType::kMariadbGtid, 10, gtid_body(42, 0, 0))),
            EventPlace::kInsideTransaction);
  EXPECT_EQ(feed(tracker, event(EventType::kMariadbAnnotateRows, 10, {'x'})),
            EventPlace::kInsideTransaction);
  EXPECT_EQ(feed(tracker, event(EventType::kXid, 10, std::vector<std::uint8_t>(8))),
            EventPlace::kTransactionEnd);
  ASSERT_TRUE(tracker.gtid());
  EXPECT_EQ(tracker.gtid()->text, "0-1-42");
  EXPECT_FALSE(tracker.inside());
}

TEST(BinlogEventsTest, AStandaloneGtidEndsAtItsStatement) {
  TransactionTracker tracker;
  tracker.set_checksum(true);
  constexpr std::uint8_t kStandalone = 1;
  EXPECT_EQ(feed(tracker, event(EventType::kMariadbGtid, 10, gtid_body(7, 3, kStandalone))),
            EventPlace::kInsideTransaction);
  // A query event body: thread id (4), time (4), schema length (1), error (2), status
  // variables length (2), schema "\0", statement.
  std::vector<std::uint8_t> query = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (char c : std::string("DROP TABLE t")) query.push_back(static_cast<std::uint8_t>(c));
  EXPECT_EQ(feed(tracker, event(EventType::kQuery, 10, query)), EventPlace::kTransactionEnd);
  ASSERT_TRUE(tracker.gtid());
  EXPECT_EQ(tracker.gtid()->text, "3-1-7");
  EXPECT_EQ(feed(tracker, event(EventType::kMariadbGtidList, 10, {0, 0, 0, 0})),
            EventPlace::kOutside);
}

}  // namespace
}  // namespace dbkeep::archive
