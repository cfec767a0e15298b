#include "dbkeep/ops/metrics.hpp"

#include <gtest/gtest.h>

#include "dbkeep/ops/atomic_file.hpp"
#include "dbkeep/ops/notifier.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::ops {
namespace {

RunRecord success_record() {
  RunRecord record;
  record.set = "main";
  record.success = true;
  record.backup_id = "20261122_020000";
  record.started_at = *core::parse_iso_utc("2026-11-22T02:00:00Z");
  record.finished_at = *core::parse_iso_utc("2026-11-22T02:01:05Z");
  record.last_success_at = record.finished_at;
  record.duration_ms = 65250;
  record.size_bytes = 1048576;
  record.stored_bytes = 300000;
  record.lock_held_ms = 42;
  return record;
}

TEST(MetricsTest, RendersOneGaugePerFactLabelledBySet) {
  RunRecord failed;
  failed.set = "sess\"ions";
  failed.success = false;
  failed.error = "disk full";
  failed.finished_at = *core::parse_iso_utc("2026-11-22T06:00:00Z");
  failed.duration_ms = 500;
  failed.attempts = 2;
  failed.consecutive_failures = 3;
  std::string text = render_metrics({success_record(), failed});
  EXPECT_EQ(text,
            "# HELP dbkeep_last_success_timestamp_seconds Unix time the last successful backup "
            "finished.\n"
            "# TYPE dbkeep_last_success_timestamp_seconds gauge\n"
            "dbkeep_last_success_timestamp_seconds{set=\"main\"} 1795312865\n"
            "# HELP dbkeep_last_run_timestamp_seconds Unix time the last backup run finished.\n"
            "# TYPE dbkeep_last_run_timestamp_seconds gauge\n"
            "dbkeep_last_run_timestamp_seconds{set=\"main\"} 1795312865\n"
            "dbkeep_last_run_timestamp_seconds{set=\"sess\\\"ions\"} 1795327200\n"
            "# HELP dbkeep_last_run_success 1 if the last backup run succeeded, else 0.\n"
            "# TYPE dbkeep_last_run_success gauge\n"
            "dbkeep_last_run_success{set=\"main\"} 1\n"
            "dbkeep_last_run_success{set=\"sess\\\"ions\"} 0\n"
            "# HELP dbkeep_consecutive_failures Backup runs in a row that failed; 0 after a "
            "success.\n"
            "# TYPE dbkeep_consecutive_failures gauge\n"
            "dbkeep_consecutive_failures{set=\"main\"} 0\n"
            "dbkeep_consecutive_failures{set=\"sess\\\"ions\"} 3\n"
            "# HELP dbkeep_last_run_attempts Attempts the last backup run took ([set] retries).\n"
            "# TYPE dbkeep_last_run_attempts gauge\n"
            "dbkeep_last_run_attempts{set=\"main\"} 1\n"
            "dbkeep_last_run_attempts{set=\"sess\\\"ions\"} 2\n"
            "# HELP dbkeep_last_run_duration_seconds Duration of the last backup run.\n"
            "# TYPE dbkeep_last_run_duration_seconds gauge\n"
            "dbkeep_last_run_duration_seconds{set=\"main\"} 65.25\n"
            "dbkeep_last_run_duration_seconds{set=\"sess\\\"ions\"} 0.5\n"
            "# HELP dbkeep_last_backup_size_bytes Bytes read from the source by the last "
            "successful run.\n"
            "# TYPE dbkeep_last_backup_size_bytes gauge\n"
            "dbkeep_last_backup_size_bytes{set=\"main\"} 1048576\n"
            "# HELP dbkeep_last_backup_stored_bytes Bytes stored in the repository by the last "
            "successful run.\n"
            "# TYPE dbkeep_last_backup_stored_bytes gauge\n"
            "dbkeep_last_backup_stored_bytes{set=\"main\"} 300000\n"
            "# HELP dbkeep_last_lock_held_seconds How long the last run held the database's "
            "global lock.\n"
            "# TYPE dbkeep_last_lock_held_seconds gauge\n"
            "dbkeep_last_lock_held_seconds{set=\"main\"} 0.042\n");
}

TEST(MetricsTest, ExportsTheLastPassedRestoreTestAndKeepsItInTheRunRecord) {
  RunRecord record = success_record();
  record.last_restore_test_at = *core::parse_iso_utc("2026-11-22T05:00:00Z");
  std::string text = render_metrics({record});
  EXPECT_NE(text.find("# TYPE dbkeep_last_restore_test_success_timestamp_seconds gauge\n"
                      "dbkeep_last_restore_test_success_timestamp_seconds{set=\"main\"} "
                      "1795323600\n"),
            std::string::npos)
      << text;
  auto round_trip = run_record_from_json(run_record_to_json(record));
  ASSERT_TRUE(round_trip) << round_trip.error().message;
  EXPECT_EQ(round_trip->last_restore_test_at, record.last_restore_test_at);
}

TEST(MetricsTest, WritesAtomicallyAndRunRecordsRoundTrip) {
  auto dir = test::make_temp_dir();
  auto file = dir.path() / "textfile/dbkeep.prom";
  ASSERT_TRUE(write_metrics(file, {success_record()}));
  auto content = read_whole_file(file);
  ASSERT_TRUE(content);
  EXPECT_EQ(*content, render_metrics({success_record()}));
  // No temporary file is left next to it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(file.parent_path()),
                          std::filesystem::directory_iterator()),
            1);

  RunRecordStore store(dir.path() / "runs");
  ASSERT_TRUE(store.save(success_record()));
  auto loaded = store.load("main");
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ(run_record_to_json(**loaded), run_record_to_json(success_record()));
  auto missing = store.load("other");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST(MetricsTest, RetriesAndFailuresInARowRoundTripAndOldRecordsGetDefaults) {
  RunRecord record = success_record();
  record.success = false;
  record.attempts = 3;
  record.attempt_errors = {"first", "second"};
  record.consecutive_failures = 2;
  auto round_trip = run_record_from_json(run_record_to_json(record));
  ASSERT_TRUE(round_trip) << round_trip.error().message;
  EXPECT_EQ(round_trip->attempts, 3);
  EXPECT_EQ(round_trip->attempt_errors, record.attempt_errors);
  EXPECT_EQ(round_trip->consecutive_failures, 2);

  // A record written before retries existed: one attempt; a failed one is one failure in a row.
  auto old = run_record_to_json(record);
  old.erase("attempts");
  old.erase("attempt_errors");
  old.erase("consecutive_failures");
  auto read = run_record_from_json(old);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->attempts, 1);
  EXPECT_TRUE(read->attempt_errors.empty());
  EXPECT_EQ(read->consecutive_failures, 1);
}

TEST(MetricsTest, FailuresAreAnnouncedAfterNInARowAndRecoveryOnce) {
  core::NotifyConfig notify;
  notify.after_failures = 2;
  RunRecord failed;
  failed.success = false;
  failed.consecutive_failures = 1;
  EXPECT_EQ(announcement_for(failed, 0, notify), Announcement::kNone);
  failed.consecutive_failures = 2;
  EXPECT_EQ(announcement_for(failed, 1, notify), Announcement::kFailure);
  failed.consecutive_failures = 3;
  EXPECT_EQ(announcement_for(failed, 2, notify), Announcement::kFailure);

  RunRecord ok = success_record();
  EXPECT_EQ(announcement_for(ok, 3, notify), Announcement::kRecovery);
  EXPECT_EQ(announcement_for(ok, 1, notify), Announcement::kNone) << "that failure was never told";
  EXPECT_EQ(announcement_for(ok, 0, notify), Announcement::kNone);
  notify.on_success = true;
  EXPECT_EQ(announcement_for(ok, 0, notify), Announcement::kSuccess);
  notify.after_failures = 1;
  EXPECT_EQ(announcement_for(ok, 1, notify), Announcement::kRecovery);
}

}  // namespace
}  // namespace dbkeep::ops
