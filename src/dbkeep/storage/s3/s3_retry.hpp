#pragma once
// When and how long the S3 client retries. Transient failures — 5xx, 429, SlowDown,
// RequestTimeout, timeouts and reset or refused connections — are retried with exponential
// backoff and full jitter, until a total time budget is spent; everything else fails at once.

#include <chrono>
#include <random>
#include <string_view>

namespace dbkeep::storage::s3 {

struct RetryPolicy {
  std::chrono::milliseconds first_delay{200};
  std::chrono::milliseconds max_delay{20000};
  std::chrono::milliseconds total_budget{300000};  // give up once this much time has passed
  int max_attempts = 12;

  // A response status (0 when no response came) and, if the body was an <Error>, its Code.
  static bool is_retryable_status(long status, std::string_view s3_code);

  // Delay before retry number `attempt` (1 for the first retry): a uniformly random time in
  // [0, min(max_delay, first_delay × 2^(attempt-1))], so many clients do not retry in step.
  [[nodiscard]] std::chrono::milliseconds delay_before(int attempt, std::mt19937_64& random) const;
};

}  // namespace dbkeep::storage::s3
