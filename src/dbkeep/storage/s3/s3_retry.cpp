#include "dbkeep/storage/s3/s3_retry.hpp"

#include <algorithm>

namespace dbkeep::storage::s3 {

bool RetryPolicy::is_retryable_status(long status, std::string_view s3_code) {
  if (status >= 500 || status == 429) return true;
  // Some stores report throttling and idle sockets as 400/503 with these codes.
  return s3_code == "SlowDown" || s3_code == "RequestTimeout" || s3_code == "Throttling" ||
         s3_code == "RequestTimeTooSkewed" || s3_code == "InternalError";
}

std::chrono::milliseconds RetryPolicy::delay_before(int attempt, std::mt19937_64& random) const {
  long long cap = first_delay.count();
  for (int i = 1; i < attempt && cap < max_delay.count(); ++i) cap *= 2;
  cap = std::min<long long>(cap, max_delay.count());
  std::uniform_int_distribution<long long> pick(0, cap);
  return std::chrono::milliseconds(pick(random));
}

}  // namespace dbkeep::storage::s3
