#include "dbkeep/repo/retention.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <functional>
#include <set>
#include <unordered_map>

#include "dbkeep/repo/time_zone.hpp"

namespace dbkeep::repo {

using namespace std::chrono;

namespace {

struct CivilTime {
  int year;
  unsigned month;
  unsigned day;
  long hour;
};

CivilTime civil_time(local_seconds local) {
  const auto day_start = floor<days>(local);
  const year_month_day date{day_start};
  return {static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
          static_cast<unsigned>(date.day()), duration_cast<hours>(local - day_start).count()};
}

// A bucket rule: "daily" with keep_daily = count, labelling a local time by its day.
struct BucketRule {
  const char* name;
  std::optional<int> count;
  std::function<std::string(local_seconds)> label;
};

// Adds `reason` to the newest backup of each of the `count` newest buckets; `newest_first` holds
// positions (into `local_times` and `reasons`) of complete backups, newest first.
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

std::string format_label(const char* format, int first, long second = 0, long third = 0,
                         long fourth = 0) {
  char buffer[64];  // room for any int and longs; labels are 4 to 16 characters
  std::snprintf(buffer, sizeof buffer, format, first, second, third, fourth);
  return buffer;
}

}  // namespace

std::string hour_label(local_seconds local) {
  const CivilTime time = civil_time(local);
  return format_label("%04d-%02ld-%02ld %02ld:00", time.year, long{time.month}, long{time.day},
                      time.hour);
}

std::string day_label(local_seconds local) {
  const CivilTime time = civil_time(local);
  return format_label("%04d-%02ld-%02ld", time.year, long{time.month}, long{time.day});
}

std::string iso_week_label(local_seconds local) {
  // ISO 8601: weeks start on Monday and belong to the year that holds their Thursday.
  const sys_days day{floor<days>(local).time_since_epoch()};
  const unsigned iso_weekday = weekday{day}.iso_encoding();  // Monday 1 .. Sunday 7
  const sys_days thursday = day + days{4 - static_cast<int>(iso_weekday)};
  const year week_year = year_month_day{thursday}.year();
  const long week = (thursday - sys_days{week_year / January / 1}).count() / 7 + 1;
  return format_label("%04d-W%02ld", static_cast<int>(week_year), week);
}

std::string month_label(local_seconds local) {
  const CivilTime time = civil_time(local);
  return format_label("%04d-%02ld", time.year, long{time.month});
}

std::string year_label(local_seconds local) {
  return format_label("%04d", civil_time(local).year);
}

Result<std::vector<RetentionDecision>> decide_retention(std::span<const BackupRecord> backups,
                                                        const RetentionPolicy& policy) {
  TRY(validate(policy));
  TRY_ASSIGN(const TimeZone zone, TimeZone::load(policy.time_zone));

  std::vector<BackupRecord> sorted(backups.begin(), backups.end());
  std::sort(sorted.begin(), sorted.end(), [](const BackupRecord& a, const BackupRecord& b) {
    return a.started_at != b.started_at ? a.started_at > b.started_at : a.id > b.id;
  });
  std::set<std::string> ids;
  for (const BackupRecord& backup : sorted) {
    if (!ids.insert(backup.id).second) return fail("two backups share the id " + backup.id);
  }

  std::vector<std::vector<std::string>> reasons(sorted.size());
  std::vector<std::size_t> complete_newest_first;
  std::vector<local_seconds> local_times(sorted.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (!sorted[i].complete) continue;
    complete_newest_first.push_back(i);
    local_times[i] = zone.to_local(sorted[i].started_at);
  }

  if (!complete_newest_first.empty()) {
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
    const BucketRule bucket_rules[] = {{"hourly", policy.keep_hourly, hour_label},
                                       {"daily", policy.keep_daily, day_label},
                                       {"weekly", policy.keep_weekly, iso_week_label},
                                       {"monthly", policy.keep_monthly, month_label},
                                       {"yearly", policy.keep_yearly, year_label}};
    for (const BucketRule& rule : bucket_rules) {
      apply_bucket_rule(rule, complete_newest_first, local_times, reasons);
    }
  }

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
