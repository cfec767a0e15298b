#pragma once
// Turns what happens to a set's archive into the operator's signals: the archive record
// (<state_dir>/archives/<set>.json), the metrics file, and notifications. The archiver reports
// each stored segment and each gap it meets; `archive status` reports what it found in the
// whole archive, `verify --archive` the segments whose bytes failed. A gap is announced once, when
// it is first seen (by whichever comes first); an archiver that stops with an error is announced
// every time.
//
// Failures to write the record or the metrics file are logged, never returned: they must not
// stop archiving.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dbkeep/archive/archive_status.hpp"
#include "dbkeep/archive/archive_verify.hpp"
#include "dbkeep/archive/segment.hpp"
#include "dbkeep/core/config.hpp"
#include "dbkeep/ops/archive_record.hpp"
#include "dbkeep/ops/notifier.hpp"

namespace dbkeep::archive {

class ArchiveReporter {
 public:
  // `notifiers`: this reporter's own (one per thread: notifiers are not shared).
  ArchiveReporter(const core::Config& config, std::string set,
                  std::vector<std::unique_ptr<ops::Notifier>> notifiers);

  void segment_stored(const SegmentEntry& entry);
  void gap_met(const BinlogPoint& after, const std::string& description);
  void stopped(const std::string& error);
  void checked(const ArchiveReport& report);
  void verified(const ArchiveCatalog& catalog, const ArchiveVerifyReport& report);

 private:
  // Loads the record under its lock, applies `change`, saves it, refreshes the metrics file,
  // then announces each gap the record did not know before.
  void update(const std::function<void(ops::ArchiveRecord&)>& change);

  const core::Config& config_;
  std::string set_;
  ops::ArchiveRecordStore store_;
  std::vector<std::unique_ptr<ops::Notifier>> notifiers_;
};

}  // namespace dbkeep::archive
