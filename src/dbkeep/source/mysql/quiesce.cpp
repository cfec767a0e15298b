#include "dbkeep/source/mysql/quiesce.hpp"

#include <mysqld_error.h>

#include <cstdio>
#include <thread>
#include <utility>

#include "dbkeep/core/log.hpp"
#include "dbkeep/source/mysql/long_queries.hpp"
#include "dbkeep/source/mysql/query_watchdog.hpp"

namespace dbkeep::source::mysql {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Result<void> check_supported(const ServerVersion& version, LockMode mode, const Connection& c) {
  if (mode != LockMode::kBackupStage) return {};
  if (version.flavor == Flavor::kMariaDb && version.at_least(10, 4, 1)) return {};
  return usage_error("lock = \"backup_stage\" needs MariaDB 10.4 or newer, but the server on " +
                     c.endpoint() + " is " + std::string(flavor_name(version.flavor)) + " " +
                     version.text + "; use lock = \"ftwrl\"");
}

// Before locking: long-running statements would keep FTWRL (and every writer behind it)
// waiting, so deal with them first, as the user chose.
Result<void> handle_long_queries(Connection& connection, const QuiesceOptions& options,
                                 const std::vector<unsigned long>& ignore) {
  if (options.long_query_threshold.count() <= 0) return {};
  const auto give_up_at = std::chrono::steady_clock::now() + options.long_query_max_wait;
  for (bool first = true;; first = false) {
    TRY_ASSIGN(auto queries,
               find_running_queries(connection, options.long_query_threshold, ignore));
    if (queries.empty()) return {};
    const std::string list = describe_all(queries);
    switch (options.long_query_action) {
      case LongQueryAction::kFail:
        return fail("long-running queries on " + connection.endpoint() +
                    " would hold up the global read lock: " + list +
                    "; wait for them, set long_query_action = \"kill\", or raise "
                    "long_query_seconds");
      case LongQueryAction::kKill:
        for (const auto& query : queries) {
          log::warn("killing long-running query " + query.describe());
          auto killed = connection.execute("KILL QUERY " + std::to_string(query.id));
          // ER_NO_SUCH_THREAD: it finished meanwhile, which is what we wanted.
          if (!killed && connection.last_error_number() != ER_NO_SUCH_THREAD) {
            return propagate(killed.error().with_context("cannot kill long-running query"));
          }
        }
        return {};
      case LongQueryAction::kWait:
        if (std::chrono::steady_clock::now() >= give_up_at) {
          return fail("long-running queries on " + connection.endpoint() + " still running after " +
                      std::to_string(options.long_query_max_wait.count()) + " s: " + list);
        }
        log::write(first ? log::Level::kInfo : log::Level::kDebug,
                   "waiting for long-running queries to finish: " + list);
        std::this_thread::sleep_for(seconds(1));
        break;
    }
  }
}

// Why a lock statement failed, in words a user can act on.
std::string describe_failure(const GuardedOutcome& outcome, std::string_view statement,
                             const Connection& connection, const QuiesceOptions& options) {
  if (outcome.killed_by_watchdog) {
    return std::string(statement) + " was still waiting after " +
           std::to_string(options.watchdog.count()) + " ms and was killed by the watchdog";
  }
  if (connection.last_error_number() == ER_LOCK_WAIT_TIMEOUT) {
    return std::string(statement) + " timed out after lock_wait_timeout = " +
           std::to_string(options.lock_wait_timeout.count()) + " s";
  }
  return outcome.result.error().message;
}

// One try at the lock. On success returns how long the lock statement waited.
Result<milliseconds> try_lock(Connection& connection, QueryWatchdog& watchdog,
                              const QuiesceOptions& options) {
  const std::vector<std::string_view> statements =
      options.lock_mode == LockMode::kBackupStage
          ? std::vector<std::string_view>{"BACKUP STAGE START", "BACKUP STAGE BLOCK_COMMIT"}
          // Flushing without the lock first closes most tables while writers still run, so the
          // flush under FTWRL (the part that stalls them) has little left to do.
          : std::vector<std::string_view>{"FLUSH NO_WRITE_TO_BINLOG TABLES",
                                          "FLUSH TABLES WITH READ LOCK"};
  milliseconds waited{0};
  for (auto statement : statements) {
    auto outcome = watchdog.run(connection, statement, options.watchdog);
    waited = outcome.elapsed;
    if (!outcome.result) {
      const std::string reason = describe_failure(outcome, statement, connection, options);
      // A started backup stage must be ended, or the session keeps blocking purge and DDL.
      if (options.lock_mode == LockMode::kBackupStage && statement != statements.front()) {
        if (auto ended = connection.execute("BACKUP STAGE END"); !ended) {
          connection.close();  // the server ends the stage with the session
        }
      }
      return fail(reason);
    }
  }
  return waited;
}

// "0.4" for 412 µs: a good lock is shorter than a millisecond, so show a decimal.
std::string format_ms(std::chrono::microseconds time) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", static_cast<double>(time.count()) / 1000.0);
  return text;
}

}  // namespace

Result<GlobalLock> quiesce(Connection& connection, const QuiesceOptions& options) {
  TRY_ASSIGN(auto version, probe_version(connection));
  TRY(check_supported(version, options.lock_mode, connection));
  GlobalLock lock(connection, version, options.lock_mode);
  if (options.lock_mode == LockMode::kNone) {
    log::warn(
        "taking no global lock (lock = \"none\"): the backup is only consistent if "
        "nothing writes to the server");
    return lock;
  }

  TRY_ASSIGN(auto watchdog, QueryWatchdog::open(connection));
  TRY(handle_long_queries(connection, options, {watchdog.thread_id()}));
  TRY(connection.execute(
      "SET SESSION lock_wait_timeout = " +
      std::to_string(std::max<std::int64_t>(1, options.lock_wait_timeout.count()))));

  const int attempts = std::max(1, options.lock_attempts);
  std::string last_reason;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    auto waited = try_lock(connection, watchdog, options);
    if (waited) {
      lock.held_ = true;
      lock.attempts_ = attempt;
      lock.wait_time_ = *waited;
      lock.acquired_at_ = std::chrono::steady_clock::now();
      // No log line here: the lock is held now, and release() reports it all afterwards.
      return lock;
    }
    last_reason = waited.error().message;
    if (!connection.is_open()) break;
    log::warn("global lock attempt " + std::to_string(attempt) + "/" + std::to_string(attempts) +
              " failed: " + last_reason);
    if (attempt < attempts) std::this_thread::sleep_for(options.retry_pause);
  }

  std::string blockers;
  if (auto running = find_running_queries(connection, seconds(0), {watchdog.thread_id()});
      running && !running->empty()) {
    blockers = "; running now: " + describe_all(*running);
  }
  return fail("could not take the global lock (" + std::string(core::to_string(options.lock_mode)) +
              ") on " + connection.endpoint() + " after " + std::to_string(attempts) +
              " attempt(s): " + last_reason + blockers + "; backup aborted, nothing is locked");
}

GlobalLock::GlobalLock(Connection& connection, ServerVersion version, LockMode mode)
    : connection_(&connection), version_(std::move(version)), mode_(mode) {}

GlobalLock::GlobalLock(GlobalLock&& other) noexcept
    : connection_(other.connection_),
      version_(std::move(other.version_)),
      mode_(other.mode_),
      held_(std::exchange(other.held_, false)),
      attempts_(other.attempts_),
      wait_time_(other.wait_time_),
      acquired_at_(other.acquired_at_),
      released_at_(other.released_at_) {}

GlobalLock::~GlobalLock() {
  if (!held_) return;
  if (auto released = release(); !released) {
    log::error("releasing the global lock failed: " + released.error().message);
  }
}

Result<ReplicationPosition> GlobalLock::record_position() {
  if (!held_ && mode_ != LockMode::kNone) {
    return fail("cannot record the binlog position: the global lock is not held");
  }
  return read_replication_position(*connection_, version_);
}

Result<void> GlobalLock::release() {
  if (!held_) return {};
  held_ = false;
  auto released =
      connection_->execute(mode_ == LockMode::kBackupStage ? "BACKUP STAGE END" : "UNLOCK TABLES");
  released_at_ = std::chrono::steady_clock::now();
  if (!released) {
    connection_->close();  // the server drops a session's locks when the session ends
    return propagate(released.error().with_context("closed the connection to release the lock"));
  }
  log::info("global lock (" + std::string(core::to_string(mode_)) + ") on " +
            connection_->endpoint() + " taken after waiting " + std::to_string(wait_time_.count()) +
            " ms (attempt " + std::to_string(attempts_) + "), released after " +
            format_ms(held_time()) + " ms");
  return {};
}

std::chrono::microseconds GlobalLock::held_time() const {
  if (acquired_at_ == std::chrono::steady_clock::time_point{}) return std::chrono::microseconds(0);
  auto end = held_ ? std::chrono::steady_clock::now() : released_at_;
  return std::chrono::duration_cast<std::chrono::microseconds>(end - acquired_at_);
}

}  // namespace dbkeep::source::mysql
