#include "dbkeep/repo/retention_policy.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "dbkeep/core/time_zone.hpp"

namespace dbkeep::repo {

Result<void> validate(const RetentionPolicy& policy) {
  const std::vector<std::pair<const char*, const std::optional<int>*>> counts = {
      {"keep_last", &policy.keep_last},       {"keep_hourly", &policy.keep_hourly},
      {"keep_daily", &policy.keep_daily},     {"keep_weekly", &policy.keep_weekly},
      {"keep_monthly", &policy.keep_monthly}, {"keep_yearly", &policy.keep_yearly}};
  bool keeps_something = false;
  if (const auto& within = policy.keep_within) {
    const int parts[] = {within->years, within->months, within->weeks, within->days, within->hours};
    if (std::ranges::any_of(parts, [](int part) { return part < 0; }) ||
        std::ranges::all_of(parts, [](int part) { return part == 0; })) {
      return usage_error("keep_within must be longer than zero");
    }
    keeps_something = true;
  }
  for (const auto& [name, count] : counts) {
    if (!count->has_value()) continue;
    if (**count < 1) {
      return usage_error(std::string(name) + " must be at least 1, got " + std::to_string(**count) +
                         " (leave it out to not use the rule)");
    }
    keeps_something = true;
  }
  if (!keeps_something) {
    return usage_error(
        "retention policy keeps nothing: set at least one of keep_last, keep_hourly, keep_daily, "
        "keep_weekly, keep_monthly, keep_yearly or keep_within");
  }
  TRY(core::TimeZone::load(policy.time_zone));
  return {};
}

}  // namespace dbkeep::repo
