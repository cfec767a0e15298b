// libFuzzer target: cron expressions (ops::CronExpression::parse, which reads schedule= keys and
// schedule files). An accepted expression must match a real minute soon after any start, and
// that minute must be one it matches.

#include <chrono>

#include "dbkeep/ops/cron_expression.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono;
  using dbkeep::fuzz::check;
  auto cron = dbkeep::ops::CronExpression::parse(dbkeep::fuzz::as_text(data, size));
  if (!cron) {
    check(!cron.error().message.empty(), "a refused expression has a message");
    return 0;
  }
  // Starts on both sides of a leap day, at the end of a year and an hour before midnight.
  for (sys_seconds after : {sys_seconds{sys_days{2024y / 2 / 28}},
                            sys_seconds{sys_days{2026y / 12 / 31} + hours{23} + minutes{59}}}) {
    auto next = cron->next_after(after);
    check(next.has_value(), "an accepted expression runs again within 28 years");
    check(*next > after, "the next run is after the start");
    check(cron->matches(local_seconds{next->time_since_epoch()}), "the next run matches");
  }
  auto again = dbkeep::ops::CronExpression::parse(cron->text());
  check(again.has_value() && again->allowed_minutes == cron->allowed_minutes &&
            again->allowed_days_of_week == cron->allowed_days_of_week,
        "the expression's text parses to the same schedule");
  return 0;
}
