#include "dbkeep/source/mysql/query_watchdog.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "dbkeep/core/log.hpp"

namespace dbkeep::source::mysql {

Result<QueryWatchdog> QueryWatchdog::open(const Connection& watched) {
  TRY_ASSIGN(auto killer, watched.open_another());
  return QueryWatchdog(std::move(killer));
}

GuardedOutcome QueryWatchdog::run(Connection& watched, std::string_view sql,
                                  std::chrono::milliseconds limit) {
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started);
  };
  if (limit.count() <= 0) {
    auto result = watched.execute(sql);
    return GuardedOutcome{std::move(result), false, elapsed()};
  }

  std::mutex mutex;
  std::condition_variable finished_signal;
  bool finished = false;
  bool killed = false;
  const unsigned long target = watched.thread_id();
  std::thread killer_thread([&] {
    std::unique_lock lock(mutex);
    if (finished_signal.wait_until(lock, started + limit, [&] { return finished; })) return;
    killed = true;
    lock.unlock();
    log::warn("watchdog: " + std::string(sql.substr(0, 40)) + " still waiting after " +
              std::to_string(limit.count()) + " ms; killing it (KILL QUERY " +
              std::to_string(target) + ") so writers are not stalled behind it");
    if (auto done = killer_.execute("KILL QUERY " + std::to_string(target)); !done) {
      log::error("watchdog could not kill query " + std::to_string(target) + ": " +
                 done.error().message);
    }
  });

  auto result = watched.execute(sql);
  {
    std::lock_guard lock(mutex);
    finished = true;
  }
  finished_signal.notify_one();
  killer_thread.join();
  return GuardedOutcome{std::move(result), killed, elapsed()};
}

}  // namespace dbkeep::source::mysql
