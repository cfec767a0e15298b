#include "dbkeep/ops/archive_record.hpp"

#include <algorithm>

#include "dbkeep/core/log.hpp"
#include "dbkeep/ops/state_record_file.hpp"

namespace dbkeep::ops {
namespace {

void put_time(nlohmann::json& document, const char* key, const std::optional<core::Seconds>& time) {
  if (time) document[key] = core::format_iso_utc(*time);
}

std::optional<core::Seconds> time_field(const nlohmann::json& document, const char* key) {
  if (!document.contains(key) || !document[key].is_string()) return std::nullopt;
  return core::parse_iso_utc(document[key].get<std::string>());
}

}  // namespace

bool ArchiveRecord::knows_gap_after(const std::string& after) const {
  return std::ranges::any_of(gaps, [&](const KnownGap& gap) { return gap.after == after; });
}

std::set<std::string> ArchiveRecord::failed_segments() const {
  std::set<std::string> keys;
  for (const auto& gap : gaps) {
    if (gap.corrupt) keys.insert(gap.segment_key);
  }
  return keys;
}

nlohmann::json archive_record_to_json(const ArchiveRecord& record) {
  nlohmann::json document = {{"set", record.set},
                             {"healthy", record.healthy()},
                             {"position", record.position},
                             {"gaps", nlohmann::json::array()},
                             {"alerts", record.alerts}};
  for (const auto& gap : record.gaps) {
    nlohmann::json one = {{"after", gap.after}, {"description", gap.description}};
    if (gap.corrupt) {
      one["corrupt"] = true;
      one["segment"] = gap.segment_key;
    }
    document["gaps"].push_back(std::move(one));
  }
  put_time(document, "last_segment_at", record.last_segment_at);
  put_time(document, "last_event_at", record.last_event_at);
  put_time(document, "checked_at", record.checked_at);
  if (record.lag_seconds) document["lag_seconds"] = *record.lag_seconds;
  return document;
}

Result<ArchiveRecord> archive_record_from_json(const nlohmann::json& document) {
  ArchiveRecord record;
  try {
    record.set = document.at("set").get<std::string>();
    record.position = document.value("position", "");
    for (const auto& gap : document.value("gaps", nlohmann::json::array())) {
      record.gaps.push_back({gap.at("after").get<std::string>(),
                             gap.at("description").get<std::string>(), gap.value("corrupt", false),
                             gap.value("segment", "")});
    }
    record.alerts = document.value("alerts", std::vector<std::string>{});
    record.last_segment_at = time_field(document, "last_segment_at");
    record.last_event_at = time_field(document, "last_event_at");
    record.checked_at = time_field(document, "checked_at");
    if (document.contains("lag_seconds")) {
      record.lag_seconds = document["lag_seconds"].get<std::int64_t>();
    }
  } catch (const nlohmann::json::exception& error) {
    return fail(std::string("malformed archive record: ") + error.what());
  }
  return record;
}

Result<void> ArchiveRecordStore::save(const ArchiveRecord& record) const {
  return save_state_record(directory_, record.set, archive_record_to_json(record));
}

Result<std::optional<ArchiveRecord>> ArchiveRecordStore::load(const std::string& set) const {
  TRY_ASSIGN(auto document, load_state_record(directory_, set));
  if (!document) return std::optional<ArchiveRecord>();
  TRY_ASSIGN(auto record, archive_record_from_json(*document));
  return std::optional<ArchiveRecord>(std::move(record));
}

Result<StateRecordLock> ArchiveRecordStore::lock(const std::string& set) const {
  return StateRecordLock::acquire(directory_, set);
}

ArchiveRecord ArchiveRecordStore::load_or_new(const std::string& set) const {
  auto loaded = load(set);
  if (loaded && *loaded) return std::move(**loaded);
  if (!loaded) log::warn("starting a new archive record: " + loaded.error().message);
  ArchiveRecord record;
  record.set = set;
  return record;
}

}  // namespace dbkeep::ops
