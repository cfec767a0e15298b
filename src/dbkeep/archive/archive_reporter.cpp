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

void ArchiveReporter::save_and_refresh(const ops::ArchiveRecord& record) {
  if (auto saved = store_.save(record); !saved) {
    log::warn("archive record of set '" + set_ + "' not written: " + saved.error().message);
  }
  if (auto written = ops::refresh_metrics(config_); !written) {
    log::warn("metrics file not written: " + written.error().message);
  }
}

void ArchiveReporter::announce_gap(const ops::ArchiveRecord& record,
                                   const std::string& description) {
  ops::notify(notifiers_,
              ops::archive_notification(record, ops::ArchiveProblem::kGap, description));
}

void ArchiveReporter::segment_stored(const SegmentEntry& entry) {
  auto record = store_.load_or_new(set_);
  record.last_segment_at = core::Seconds(std::chrono::seconds(entry.stored_at));
  record.last_event_at = core::Seconds(std::chrono::seconds(entry.last_event_time));
  record.position = entry.end.text();
  save_and_refresh(record);
}

void ArchiveReporter::gap_met(const BinlogPoint& after, const std::string& description) {
  auto record = store_.load_or_new(set_);
  const auto previous = record;
  if (record.knows_gap_after(after.text())) return;
  record.gaps.push_back({after.text(), description});
  save_and_announce_new(previous, record);
}

void ArchiveReporter::stopped(const std::string& error) {
  auto record = store_.load_or_new(set_);
  ops::notify(notifiers_, ops::archive_notification(record, ops::ArchiveProblem::kStopped, error));
}

void ArchiveReporter::checked(const ArchiveReport& report) {
  const auto previous = store_.load_or_new(set_);
  const auto& catalog = report.catalog;
  ops::ArchiveRecord record = previous;
  record.checked_at = core::now_seconds();
  record.lag_seconds = report.lag_seconds;
  record.gaps.clear();
  record.alerts.clear();
  for (const auto& gap : previous.gaps) {
    if (gap.corrupt) record.gaps.push_back(gap);
  }
  for (const auto& gap : catalog.gaps) {
    auto after = catalog.entries[gap.before].end.text();
    if (!record.knows_gap_after(after)) record.gaps.push_back({after, gap.reason});
  }
  if (!catalog.empty()) {
    const auto& last = catalog.last();
    record.position = last.end.text();
    record.last_segment_at = core::Seconds(std::chrono::seconds(last.stored_at));
    record.last_event_at = core::Seconds(std::chrono::seconds(last.last_event_time));
    // A gap the archiver met where no segment follows yet: the catalog cannot see it.
    for (const auto& gap : previous.gaps) {
      if (gap.after == record.position && !record.knows_gap_after(gap.after)) {
        record.gaps.push_back(gap);
      }
    }
  }
  for (const auto& alert : report.alerts) {
    if (!alert.starts_with(kGapAlertPrefix)) record.alerts.push_back(alert);
  }
  save_and_announce_new(previous, record);
}

void ArchiveReporter::verified(const ArchiveCatalog& catalog, const ArchiveVerifyReport& report) {
  const auto previous = store_.load_or_new(set_);
  ops::ArchiveRecord record = previous;
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
  save_and_announce_new(previous, record);
}

void ArchiveReporter::save_and_announce_new(const ops::ArchiveRecord& previous,
                                            const ops::ArchiveRecord& record) {
  save_and_refresh(record);
  for (const auto& gap : record.gaps) {
    if (!previous.knows_gap_after(gap.after)) announce_gap(record, gap.description);
  }
}

}  // namespace dbkeep::archive
