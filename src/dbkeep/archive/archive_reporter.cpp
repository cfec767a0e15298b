#include "dbkeep/archive/archive_reporter.hpp"

#include "dbkeep/core/log.hpp"
#include "dbkeep/ops/metrics.hpp"

namespace dbkeep::archive {

ArchiveReporter::ArchiveReporter(const core::Config& config, std::string set,
                                 std::vector<std::unique_ptr<ops::Notifier>> notifiers)
    : config_(config),
      set_(std::move(set)),
      store_(ops::ArchiveRecordStore::for_config(config)),
      notifiers_(std::move(notifiers)) {}

void ArchiveReporter::update(const std::function<void(ops::ArchiveRecord&)>& change) {
  ops::ArchiveRecord previous;
  ops::ArchiveRecord record;
  {
    // Unlocked, the other process's update between this load and this save would be lost,
    // and a gap it recorded (and announced) would be announced again here.
    auto lock = store_.lock(set_);
    if (!lock)
      log::warn("archive record of set '" + set_ + "' not locked: " + lock.error().message);
    previous = store_.load_or_new(set_);
    record = previous;
    change(record);
    if (auto saved = store_.save(record); !saved) {
      log::warn("archive record of set '" + set_ + "' not written: " + saved.error().message);
    }
  }
  if (auto written = ops::refresh_metrics(config_); !written) {
    log::warn("metrics file not written: " + written.error().message);
  }
  for (const auto& gap : record.gaps) {
    if (!previous.knows_gap_after(gap.after)) {
      ops::notify(notifiers_,
                  ops::archive_notification(record, ops::ArchiveProblem::kGap, gap.description));
    }
  }
}

void ArchiveReporter::segment_stored(const SegmentEntry& entry) {
  update([&](ops::ArchiveRecord& record) {
    record.last_segment_at = core::Seconds(std::chrono::seconds(entry.stored_at));
    record.last_event_at = core::Seconds(std::chrono::seconds(entry.last_event_time));
    record.position = entry.end.text();
  });
}

void ArchiveReporter::gap_met(const BinlogPoint& after, const std::string& description) {
  update([&](ops::ArchiveRecord& record) {
    if (!record.knows_gap_after(after.text())) record.gaps.push_back({after.text(), description});
  });
}

void ArchiveReporter::stopped(const std::string& error) {
  auto record = store_.load_or_new(set_);
  ops::notify(notifiers_, ops::archive_notification(record, ops::ArchiveProblem::kStopped, error));
}

void ArchiveReporter::checked(const ArchiveReport& report) {
  update([&](ops::ArchiveRecord& record) {
    const auto previous_gaps = record.gaps;
    const auto& catalog = report.catalog;
    // The check listed the repository before it took the record's lock; an archiver may have
    // stored segments (and met gaps) since. Such a check adds what it found but does not
    // rewind the record, or a gap the archiver met would be forgotten and announced again.
    const bool behind_the_archiver =
        !catalog.empty() && record.last_segment_at &&
        record.position != catalog.last().end.text() &&
        core::Seconds(std::chrono::seconds(catalog.last().stored_at)) <= *record.last_segment_at;
    record.checked_at = core::now_seconds();
    record.lag_seconds = report.lag_seconds;
    record.alerts.clear();
    for (const auto& alert : report.alerts) {
      if (!alert.starts_with(kGapAlertPrefix)) record.alerts.push_back(alert);
    }
    if (!behind_the_archiver) {
      record.gaps.clear();
      for (const auto& gap : previous_gaps) {
        if (gap.corrupt) record.gaps.push_back(gap);
      }
    }
    for (const auto& gap : catalog.gaps) {
      auto after = catalog.entries[gap.before].end.text();
      if (!record.knows_gap_after(after)) record.gaps.push_back({after, gap.reason});
    }
    if (catalog.empty() || behind_the_archiver) return;
    const auto& last = catalog.last();
    record.position = last.end.text();
    record.last_segment_at = core::Seconds(std::chrono::seconds(last.stored_at));
    record.last_event_at = core::Seconds(std::chrono::seconds(last.last_event_time));
    // A gap the archiver met where no segment follows yet: the catalog cannot see it.
    for (const auto& gap : previous_gaps) {
      if (gap.after == record.position && !record.knows_gap_after(gap.after)) {
        record.gaps.push_back(gap);
      }
    }
  });
}

void ArchiveReporter::verified(const ArchiveCatalog& catalog, const ArchiveVerifyReport& report) {
  update([&](ops::ArchiveRecord& record) {
    std::erase_if(record.gaps, [](const ops::KnownGap& gap) { return gap.corrupt; });
    for (std::size_t index : report.bad_segments) {
      const auto& entry = catalog.entries[index];
      auto after = entry.follows.text();
      if (record.knows_gap_after(after)) continue;
      record.gaps.push_back(
          {after, "segment " + entry.id() + " failed verification; restores cannot cross it", true,
           entry.stored.stored_key});
    }
    for (const auto& gap : catalog.gaps) {
      auto after = catalog.entries[gap.before].end.text();
      if (!record.knows_gap_after(after)) record.gaps.push_back({after, gap.reason});
    }
  });
}

}  // namespace dbkeep::archive
