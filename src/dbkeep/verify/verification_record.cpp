#include "dbkeep/verify/verification_record.hpp"

#include "dbkeep/core/bounded_json.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/verify/restore_drill.hpp"

namespace dbkeep::verify {
namespace {

std::string checks_prefix(const std::string& set, const std::string& id) {
  return repo::Repository::backup_prefix(set, id) + "checks/";
}

std::string started_at(const std::optional<nlohmann::json>& record) {
  return record && record->is_object() ? record->value("started_at", "") : "";
}

}  // namespace

Result<void> record_checksum_check(storage::Backend& backend, const VerifyReport& report,
                                   core::Seconds started_at) {
  nlohmann::json record = {{"kind", "checksums"},
                           {"started_at", core::format_iso_utc(started_at)},
                           {"ok", report.ok()},
                           {"files_checked", report.files_checked},
                           {"bytes_checked", report.bytes_checked},
                           {"problems", report.problems}};
  // A backup pruned while it was verified gets no record: alone, it would look like a leftover.
  TRY_ASSIGN(bool listed, backend.exists(repo::Repository::manifest_key(report.set, report.id)));
  if (!listed) return {};
  std::string key =
      checks_prefix(report.set, report.id) + core::format_compact_utc(started_at) + ".json";
  return storage::write_all(backend, key, record.dump(2) + "\n");
}

Result<std::optional<nlohmann::json>> newest_record(storage::Backend& backend,
                                                    const std::string& prefix) {
  TRY_ASSIGN(auto objects, backend.list(prefix));
  if (objects.empty()) return std::optional<nlohmann::json>{};
  TRY_ASSIGN(auto text, storage::read_all(backend, objects.back().key));  // sorted: newest last
  auto document = core::parse_bounded_json(text);
  if (!document || !document->is_object()) return std::optional<nlohmann::json>{};
  return std::optional<nlohmann::json>(std::move(*document));
}

Result<std::optional<nlohmann::json>> last_verification(storage::Backend& backend,
                                                        const std::string& set,
                                                        const std::string& id) {
  TRY_ASSIGN(auto drill, last_drill(backend, set, id));
  TRY_ASSIGN(auto checks, newest_record(backend, checks_prefix(set, id)));
  if (drill && drill->is_object()) (*drill)["kind"] = "drill";
  if (checks && checks->is_object()) (*checks)["kind"] = "checksums";
  if (!drill) return checks;
  if (!checks) return drill;
  // ISO-8601 UTC times of one format compare as strings.
  return started_at(checks) > started_at(drill) ? checks : drill;
}

}  // namespace dbkeep::verify
