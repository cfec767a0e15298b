#include "dbkeep/repo/retention.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <set>
#include <unordered_map>

#include "dbkeep/core/time_zone.hpp"
#include "dbkeep/repo/backup_id.hpp"
#include "dbkeep/core/time_zone.hpp"

namespace dbkeep::repo {

using namespace std::chrono;

namespace {

struct CivilTime {
  int year;
  long month;
  long day;
  long hour;
};

CivilTime civil_time(local_seconds local) {
  const auto day_start = floor<days>(local);
  const year_month_day date{day_start};
  return {static_cast<int>(date.year()), long{static_cast<unsigned>(date.month())},
          long{static_cast<unsigned>(date.day())}, duration_cast<hours>(local - day_start).count()};
}

// A bucket rule: "daily" with keep_daily = count, labelling a local time by its day.
struct BucketRule {
  const char* name;
  std::optional<int> count;
  std::function<std::string(local_seconds)> label;
};

// Adds "<rule> <label>" to the newest backup of each of the rule's `count` newest buckets;
// `newest_first` holds positions (into `local_times` and `reasons`) of complete backups.
void apply_bucket_rule(const BucketRule& rule, const std::vector<std::size_t>& newest_first,
                       const std::vector<local_seconds>& local_times,
                       std::vector<std::vector<std::string>>& reasons) {
  if (!rule.count) return;
  std::set<std::string> buckets_seen;
  for (std::size_t position : newest_first) {
    if (buckets_seen.size() == static_cast<std::size_t>(*rule.count)) return;
    std::string label = rule.label(local_times[position]);
    if (buckets_seen.insert(label).second) {
      reasons[position].push_back(std::string(rule.name) + " " + label);
    }
  }
}

// Keeps the bases that kept incrementals depend on, transitively, adding "needed by ID".
void keep_dependencies(const std::vector<BackupRecord>& sorted,
                       std::vector<RetentionDecision>& decisions) {
  std::unordered_map<std::string, std::size_t> position_of_id;
  for (std::size_t i = 0; i < sorted.size(); ++i) position_of_id.emplace(sorted[i].id, i);
  std::deque<std::size_t> kept;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (decisions[i].keep) kept.push_back(i);
  }
  while (!kept.empty()) {
    const BackupRecord& dependent = sorted[kept.front()];
    kept.pop_front();
    if (!dependent.depends_on) continue;
    auto base = position_of_id.find(*dependent.depends_on);
    if (base == position_of_id.end() || !sorted[base->second].complete) continue;
    RetentionDecision& base_decision = decisions[base->second];
    base_decision.reasons.push_back("needed by " + dependent.id);
    if (!base_decision.keep) {
      base_decision.keep = true;
      kept.push_back(base->second);
    }
  }
}

// `value` in decimal, with leading zeros up to `width` digits.
std::string zero_padded(long value, std::size_t width) {
  std::string digits = std::to_string(value);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

// Why each complete backup is kept by the safety rules and the policy's rules (before
// dependencies), indexed like `sorted`; `complete_newest_first` lists the complete ones.
std::vector<std::vector<std::string>> rule_reasons(
    const std::vector<BackupRecord>& sorted, const std::vector<std::size_t>& complete_newest_first,
    const RetentionPolicy& policy, const core::TimeZone& zone) {
  std::vector<std::vector<std::string>> reasons(sorted.size());
  if (complete_newest_first.empty()) return reasons;
  for (std::size_t position : complete_newest_first) {
    if (sorted[position].pinned) reasons[position].push_back("pinned");
  }
  reasons[complete_newest_first.front()].push_back("newest");
  if (policy.keep_last) {
    const auto last = std::min<std::size_t>(*policy.keep_last, complete_newest_first.size());
    for (std::size_t rank = 0; rank < last; ++rank) {
      reasons[complete_newest_first[rank]].push_back("last " + std::to_string(*policy.keep_last));
    }
  }
  if (policy.keep_within) {
    const sys_seconds start =
        window_start(sorted[complete_newest_first.front()].started_at, *policy.keep_within);
    for (std::size_t position : complete_newest_first) {
      if (sorted[position].started_at < start) break;
      reasons[position].push_back("within " + policy.keep_within->text);
    }
  }
  std::vector<local_seconds> local_times(sorted.size());
  for (std::size_t position : complete_newest_first) {
    local_times[position] = zone.to_local(sorted[position].started_at);
  }
  const BucketRule bucket_rules[] = {{"hourly", policy.keep_hourly, hour_label},
                                     {"daily", policy.keep_daily, day_label},
                                     {"weekly", policy.keep_weekly, iso_week_label},
                                     {"monthly", policy.keep_monthly, month_label},
                                     {"yearly", policy.keep_yearly, year_label}};
  for (const BucketRule& rule : bucket_rules) {
    apply_bucket_rule(rule, complete_newest_first, local_times, reasons);
  }
  return reasons;
}

}  // namespace

std::string hour_label(local_seconds local) {
  const CivilTime time = civil_time(local);
  return day_label(local) + " " + zero_padded(time.hour, 2) + ":00";
}

std::string day_label(local_seconds local) {
  const CivilTime time = civil_time(local);
  return month_label(local) + "-" + zero_padded(time.day, 2);
}

std::string iso_week_label(local_seconds local) {
  // ISO 8601: weeks start on Monday and belong to the year that holds their Thursday.
  const sys_days day{floor<days>(local).time_since_epoch()};
  const unsigned iso_weekday = weekday{day}.iso_encoding();  // Monday 1 .. Sunday 7
  const sys_days thursday = day + days{4 - static_cast<int>(iso_weekday)};
  const year week_year = year_month_day{thursday}.year();
  const long week = (thursday - sys_days{week_year / January / 1}).count() / 7 + 1;
  return zero_padded(static_cast<int>(week_year), 4) + "-W" + zero_padded(week, 2);
}

std::string month_label(local_seconds local) {
  const CivilTime time = civil_time(local);
  return year_label(local) + "-" + zero_padded(time.month, 2);
}

std::string year_label(local_seconds local) {
  return zero_padded(civil_time(local).year, 4);
}

Result<std::vector<RetentionDecision>> decide_retention(std::span<const BackupRecord> backups,
                                                        const RetentionPolicy& policy) {
  TRY(validate(policy));
  TRY_ASSIGN(const core::TimeZone zone, core::TimeZone::load(policy.time_zone));

  std::vector<BackupRecord> sorted(backups.begin(), backups.end());
  std::sort(sorted.begin(), sorted.end(), [](const BackupRecord& a, const BackupRecord& b) {
    return a.started_at != b.started_at ? a.started_at > b.started_at : backup_id_less(b.id, a.id);
  });
  std::set<std::string> ids;
  std::vector<std::size_t> complete_newest_first;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (!ids.insert(sorted[i].id).second) return fail("two backups share the id " + sorted[i].id);
    if (sorted[i].complete) complete_newest_first.push_back(i);
  }

  auto reasons = rule_reasons(sorted, complete_newest_first, policy, zone);
  std::vector<RetentionDecision> decisions;
  decisions.reserve(sorted.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (!sorted[i].complete) {
      decisions.push_back({sorted[i].id, false, {"incomplete leftover"}});
    } else {
      const bool keep = !reasons[i].empty();
      decisions.push_back({sorted[i].id, keep, std::move(reasons[i])});
    }
  }
  keep_dependencies(sorted, decisions);
  return decisions;
}

}  // namespace dbkeep::repo
