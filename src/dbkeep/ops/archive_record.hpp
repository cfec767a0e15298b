#pragma once
// What the metrics file, notifications and `dbkeep status` know about a set's binlog archive,
// kept as <state_dir>/archives/<set>.json. The archiver updates it at every stored segment and
// at every gap it meets while following the server; `archive status` and `verify --archive`
// replace its gaps and alerts with what they found in the whole archive. Writers are not
// serialised (the archiver and a status check may overlap): each write is atomic and the
// next check corrects a lost update.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/ops/state_record_file.hpp"

namespace dbkeep::ops {

// A gap is known by where the archive before it ends: the archiver and a later check name the
// same gap in different words, and must not announce it twice.
struct KnownGap {
  std::string after;  // "file:position" the unbroken archive before the gap reaches
  std::string description;
  // A segment whose bytes failed `verify --archive`: only the next verify clears it (a status
  // check does not read segments).
  bool corrupt = false;
  std::string segment_key;  // the damaged segment's object, when `corrupt`
  bool operator==(const KnownGap&) const = default;
};

struct ArchiveRecord {
  std::string set;
  std::optional<core::Seconds> last_segment_at;  // when the archiver last stored a segment
  std::optional<core::Seconds> last_event_at;    // the newest archived event's own time
  std::string position;                          // where the archive ends, "file:position"
  std::optional<core::Seconds> checked_at;       // the last whole-archive check
  std::optional<std::int64_t> lag_seconds;       // that check's lag, when it reached the server
  // Every gap known: the last check's, plus those the archiver met since. A gap stays until
  // a check no longer finds it (prune deleted the segments before it).
  std::vector<KnownGap> gaps;
  // The last check's other alerts (unreadable entries, lag, no base backup in the archive).
  std::vector<std::string> alerts;

  [[nodiscard]] bool healthy() const { return gaps.empty() && alerts.empty(); }
  [[nodiscard]] bool knows_gap_after(const std::string& after) const;
  // The objects of the segments verify found damaged.
  [[nodiscard]] std::set<std::string> failed_segments() const;
};

nlohmann::json archive_record_to_json(const ArchiveRecord& record);
Result<ArchiveRecord> archive_record_from_json(const nlohmann::json& document);

class ArchiveRecordStore {
 public:
  explicit ArchiveRecordStore(std::filesystem::path directory) : directory_(std::move(directory)) {}
  static ArchiveRecordStore for_config(const core::Config& config) {
    return ArchiveRecordStore(config.repository.state_dir / "archives");
  }

  Result<void> save(const ArchiveRecord& record) const;  // atomically, 0640
  // The set's record; nullopt before its archive was first run or checked.
  Result<std::optional<ArchiveRecord>> load(const std::string& set) const;
  // The set's record (a new one when there is none, or when it cannot be read: the archive
  // itself is the truth, this is a summary of it).
  [[nodiscard]] ArchiveRecord load_or_new(const std::string& set) const;
  // Held around a load and the save that follows it (several processes update one record).
  Result<StateRecordLock> lock(const std::string& set) const;

 private:
  std::filesystem::path directory_;
};

}  // namespace dbkeep::ops
