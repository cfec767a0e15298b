#pragma once
// Quiesce: take the server-wide lock a snapshot needs, for as short a time as possible, and
// never leave the server stalled or the backup unlocked.
//
//   TRY_ASSIGN(auto lock, quiesce(connection, options));   // probe long queries, flush, lock
//   TRY_ASSIGN(auto position, lock.record_position());     // binlog file/pos, GTID
//   TRY(provider.create_snapshot(...));
//   TRY(lock.release());                                   // UNLOCK TABLES / BACKUP STAGE END
//   log::info("lock held " + std::to_string(lock.held_ms()) + " ms");
//
// The lock lives in the server session of `connection`: if the connection or the process dies,
// the server releases it. The GlobalLock must not outlive the connection.

#include <chrono>
#include <cstdint>

#include "dbkeep/core/config_enums.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"
#include "dbkeep/source/mysql/replication_position.hpp"
#include "dbkeep/source/mysql/server_probe.hpp"

namespace dbkeep::source::mysql {

// The lock modes and long-query actions are configuration values (core/config_enums.hpp).
using core::LockMode;
using core::LongQueryAction;

struct QuiesceOptions {
  LockMode lock_mode = LockMode::kFlushTablesWithReadLock;
  // Session lock_wait_timeout for our lock statements: the server gives up waiting after this.
  std::chrono::seconds lock_wait_timeout{5};
  int lock_attempts = 3;                        // tries before giving up (at least 1)
  std::chrono::milliseconds retry_pause{1000};  // between tries, so blockers can finish
  // Statements running this long count as long queries; 0 turns the check off.
  std::chrono::seconds long_query_threshold{60};
  LongQueryAction long_query_action = LongQueryAction::kWait;
  std::chrono::seconds long_query_max_wait{300};  // for kWait
  // Longest any one lock statement may wait (and so stall writers) before a second connection
  // kills it; 0 turns the watchdog off and leaves only lock_wait_timeout.
  std::chrono::milliseconds watchdog{3000};
};

// A held global lock. Move-only; releases in the destructor if release() was not called.
class GlobalLock {
 public:
  GlobalLock(GlobalLock&& other) noexcept;
  GlobalLock& operator=(GlobalLock&&) = delete;
  GlobalLock(const GlobalLock&) = delete;
  GlobalLock& operator=(const GlobalLock&) = delete;
  ~GlobalLock();

  // Reads binlog/GTID/replica coordinates; consistent with the data only while held.
  Result<ReplicationPosition> record_position();
  // Releases the lock. If the release statement fails, closes the connection so the server
  // drops the lock anyway, and returns the error. Safe to call twice (later calls do nothing).
  Result<void> release();

  [[nodiscard]] bool held() const { return held_; }
  [[nodiscard]] LockMode mode() const { return mode_; }
  [[nodiscard]] int attempts() const { return attempts_; }
  // How long the successful lock statement waited (writers were queued behind it meanwhile).
  [[nodiscard]] std::chrono::milliseconds wait_time() const { return wait_time_; }
  // From acquisition until release (or until now, while held); microseconds because a good
  // lock is shorter than a millisecond. held_ms() rounds up, so a held lock never reads 0.
  [[nodiscard]] std::chrono::microseconds held_time() const;
  [[nodiscard]] std::int64_t held_ms() const { return (held_time().count() + 999) / 1000; }

 private:
  friend Result<GlobalLock> quiesce(Connection& connection, const QuiesceOptions& options);
  GlobalLock(Connection& connection, ServerVersion version, LockMode mode);

  Connection* connection_;
  ServerVersion version_;
  LockMode mode_;
  bool held_ = false;
  int attempts_ = 0;
  std::chrono::milliseconds wait_time_{0};
  std::chrono::steady_clock::time_point acquired_at_{};
  std::chrono::steady_clock::time_point released_at_{};
};

// Checks for long-running queries, then takes the lock per `options`, retrying; returns an
// error (and holds nothing) when it cannot. Never returns an unlocked GlobalLock unless
// lock_mode is kNone. Needs RELOAD (and PROCESS, CONNECTION ADMIN/SUPER to see/kill queries).
Result<GlobalLock> quiesce(Connection& connection, const QuiesceOptions& options);

}  // namespace dbkeep::source::mysql
