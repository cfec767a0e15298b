// What the operator sees of an archive (archive/archive_reporter, ops/archive_record, the
// archive families of ops/metrics): the record follows the stored segments, a gap is announced
// once however many times and by whichever path it is seen, a check replaces what the record
// knew with what the archive holds, and verify's corrupt segments stay until verify clears them.

#include "dbkeep/archive/archive_reporter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "dbkeep/core/log.hpp"
#include "dbkeep/ops/atomic_file.hpp"
#include "dbkeep/ops/metrics.hpp"
#include "support/archive_entries.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::archive {
namespace {

// Keeps what it was asked to send.
class RecordingNotifier final : public ops::Notifier {
 public:
  explicit RecordingNotifier(std::vector<ops::Notification>& sent) : sent_(sent) {}
  [[nodiscard]] std::string name() const override { return "recording"; }
  Result<void> send(const ops::Notification& notification) override {
    sent_.push_back(notification);
    return {};
  }

 private:
  std::vector<ops::Notification>& sent_;
};

SegmentEntry entry(std::uint64_t sequence, const std::string& file, std::uint64_t from,
                   std::uint64_t to) {
  return test::segment_entry(sequence, file, from, to);
}

ArchiveReport report_of(std::vector<SegmentEntry> entries) {
  return build_archive_report("main", test::analysed_catalog(std::move(entries)), {}, std::nullopt,
                              "not asked", 0, 0);
}

class ArchiveReporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config.repository.state_dir = dir.path() / "state";
    config.metrics.file = dir.path() / "dbkeep.prom";
    core::SetConfig set;
    set.name = "main";
    set.archive.enabled = true;
    config.sets.push_back(set);
  }
  ArchiveReporter reporter() {
    std::vector<std::unique_ptr<ops::Notifier>> notifiers;
    notifiers.push_back(std::make_unique<RecordingNotifier>(sent));
    return ArchiveReporter(config, "main", std::move(notifiers));
  }
  ops::ArchiveRecord record() {
    auto loaded = ops::ArchiveRecordStore::for_config(config).load("main");
    EXPECT_TRUE(loaded && *loaded);
    return loaded && *loaded ? **loaded : ops::ArchiveRecord{};
  }
  std::string metrics() { return ops::read_whole_file(*config.metrics.file).value_or(""); }

  core::TempDir dir = test::make_temp_dir();
  core::Config config;
  std::vector<ops::Notification> sent;
};

TEST_F(ArchiveReporterTest, EachStoredSegmentMovesTheRecordAndTheMetrics) {
  auto reporting = reporter();
  reporting.segment_stored(entry(1, "bin.000001", 4, 500));
  reporting.segment_stored(entry(2, "bin.000001", 500, 900));
  auto now = record();
  EXPECT_EQ(now.position, "bin.000001:900");
  EXPECT_EQ(now.last_event_at->time_since_epoch().count(), 1764800029);
  EXPECT_TRUE(now.healthy());
  EXPECT_NE(metrics().find("dbkeep_archive_last_event_timestamp_seconds{set=\"main\"} 1764800029"),
            std::string::npos)
      << metrics();
  EXPECT_NE(metrics().find("dbkeep_archive_gaps{set=\"main\"} 0"), std::string::npos);
  EXPECT_NE(metrics().find("dbkeep_archive_healthy{set=\"main\"} 1"), std::string::npos);
  EXPECT_TRUE(sent.empty());
}

TEST_F(ArchiveReporterTest, AGapIsAnnouncedOnceWhoeverSeesIt) {
  auto reporting = reporter();
  reporting.segment_stored(entry(1, "bin.000001", 4, 500));
  reporting.gap_met({"bin.000001", 500}, "bin.000001 was purged");
  reporting.gap_met({"bin.000001", 500}, "bin.000001 was purged");  // the next reconnect
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].summary["event"], "archive_gap");
  EXPECT_EQ(sent[0].summary["gap"], "bin.000001 was purged");
  EXPECT_NE(sent[0].subject.find("has a GAP"), std::string::npos);
  EXPECT_NE(metrics().find("dbkeep_archive_gaps{set=\"main\"} 1"), std::string::npos) << metrics();
  EXPECT_NE(metrics().find("dbkeep_archive_healthy{set=\"main\"} 0"), std::string::npos);

  // No segment after the gap yet: the check cannot see it, and keeps what the archiver saw.
  reporting.checked(report_of({entry(1, "bin.000001", 4, 500)}));
  EXPECT_EQ(record().gaps.size(), 1U);
  // The archive went on from the oldest file the server has: the check sees the same gap in
  // its own words, and does not announce it again.
  auto after = entry(2, "bin.000003", 4, 300);
  reporting.checked(report_of({entry(1, "bin.000001", 4, 500), after}));
  EXPECT_EQ(sent.size(), 1U);
  ASSERT_EQ(record().gaps.size(), 1U);
  EXPECT_EQ(record().gaps[0].after, "bin.000001:500");
}

// `archive status` runs while the archiver works (tests poll it; operators too). Each lists the
// repository, then updates the record: the archiver's updates in between must neither be lost
// nor make the check announce the archiver's gaps a second time.
TEST_F(ArchiveReporterTest, AnArchiverAndAConcurrentCheckAnnounceEachGapOnce) {
  constexpr std::uint64_t kSegments = 120;
  std::vector<SegmentEntry> entries;
  for (std::uint64_t k = 1; k <= kSegments; ++k) {
    // Each segment starts a binlog file of its own: a gap after every one before it.
    entries.push_back(entry(k, "bin." + std::to_string(1000 + 2 * k), 4, 500));
  }
  std::atomic<std::size_t> stored = 0;
  std::vector<ops::Notification> checker_sent;
  std::thread archiver([&] {
    auto reporting = reporter();
    for (std::size_t k = 0; k < entries.size(); ++k) {
      if (k > 0) reporting.gap_met(entries[k - 1].end, "purged before it was archived");
      reporting.segment_stored(entries[k]);
      stored = k + 1;
    }
  });
  std::vector<std::unique_ptr<ops::Notifier>> notifiers;
  notifiers.push_back(std::make_unique<RecordingNotifier>(checker_sent));
  ArchiveReporter checker(config, "main", std::move(notifiers));
  while (stored < entries.size()) {
    const std::size_t listed = stored;
    checker.checked(report_of({entries.begin(), entries.begin() + static_cast<long>(listed)}));
  }
  archiver.join();
  checker.checked(report_of(entries));

  EXPECT_EQ(sent.size() + checker_sent.size(), kSegments - 1)
      << sent.size() << " by the archiver, " << checker_sent.size() << " by the check";
  EXPECT_EQ(record().gaps.size(), kSegments - 1);
  EXPECT_EQ(record().position, entries.back().end.text());
}

TEST_F(ArchiveReporterTest, ACheckAnnouncesAGapItFindsAndForgetsOnePruneRemoved) {
  auto reporting = reporter();
  auto first = entry(1, "bin.000001", 4, 500);
  auto second = entry(2, "bin.000002", 4, 300);  // follows bin.000002:4, not bin.000001:500
  auto third = entry(3, "bin.000002", 300, 700);
  reporting.checked(report_of({first, second, third}));
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(record().gaps.size(), 1U);
  reporting.checked(report_of({first, second, third}));
  EXPECT_EQ(sent.size(), 1U) << "announced twice";

  // Prune deleted the segment before the gap: nothing is missing any more.
  reporting.checked(report_of({second, third}));
  EXPECT_TRUE(record().gaps.empty());
  EXPECT_EQ(record().position, "bin.000002:700");
}

TEST_F(ArchiveReporterTest, ACorruptSegmentStaysUntilVerifyPasses) {
  auto reporting = reporter();
  auto report = report_of({entry(1, "bin.000001", 4, 500), entry(2, "bin.000001", 500, 900)});
  ArchiveVerifyReport failed{.set = "main"};
  failed.problems.push_back("archived segment 2: SHA-256 mismatch");
  failed.bad_segments.push_back(1);
  reporting.verified(report.catalog, failed);
  ASSERT_EQ(sent.size(), 1U);
  ASSERT_EQ(record().gaps.size(), 1U);
  EXPECT_TRUE(record().gaps[0].corrupt);

  reporting.checked(report);  // status does not read segments: the corruption stays known
  EXPECT_EQ(record().gaps.size(), 1U);
  EXPECT_EQ(sent.size(), 1U);

  reporting.verified(report.catalog, ArchiveVerifyReport{.set = "main"});
  EXPECT_TRUE(record().gaps.empty());
}

TEST_F(ArchiveReporterTest, AStoppedArchiverIsAnnouncedWithoutItsSecrets) {
  log::register_secret("hunter2-password");
  auto reporting = reporter();
  reporting.stopped("Access denied for user 'backup' (password hunter2-password)");
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].summary["event"], "archive_stopped");
  EXPECT_EQ(sent[0].summary["error"].get<std::string>().find("hunter2"), std::string::npos);
}

TEST(ArchiveRecordTest, RoundTripsThroughJson) {
  ops::ArchiveRecord record;
  record.set = "main";
  record.position = "bin.000004:1234";
  record.last_event_at = *core::parse_iso_utc("2026-12-04T10:00:00Z");
  record.last_segment_at = *core::parse_iso_utc("2026-12-04T10:00:01Z");
  record.checked_at = *core::parse_iso_utc("2026-12-04T10:05:00Z");
  record.lag_seconds = 3;
  record.gaps.push_back({"bin.000002:400", "bin.000003 was purged", false, ""});
  record.gaps.push_back({"bin.000004:4", "segment 9 failed verification", true, "archive/9"});
  record.alerts.push_back("no base backup");
  auto back = ops::archive_record_from_json(ops::archive_record_to_json(record));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->gaps, record.gaps);
  EXPECT_EQ(back->alerts, record.alerts);
  EXPECT_EQ(back->lag_seconds, record.lag_seconds);
  EXPECT_EQ(back->checked_at, record.checked_at);
  EXPECT_EQ(ops::archive_record_to_json(*back), ops::archive_record_to_json(record));
  EXPECT_EQ(back->failed_segments(), std::set<std::string>{"archive/9"});
  EXPECT_FALSE(ops::archive_record_from_json(nlohmann::json{{"gaps", 1}}));
}

}  // namespace
}  // namespace dbkeep::archive
