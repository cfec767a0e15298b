#pragma once
// The binlog archivers of several sets, each on its own thread under its own lock
// (<state_dir>/locks/<set>@archive), for `archive run` and for `daemon`, which runs them beside
// the schedule. Archivers end on SIGTERM/SIGINT (core::cancellation) or on an error. Each
// reports its segments, the gaps it meets and an error it stops with to the set's archive
// record, the metrics file and the notifiers (archive/archive_reporter.hpp).

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dbkeep/archive/archive_reporter.hpp"
#include "dbkeep/core/config.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/repo/set_lock.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::cli {

class ArchiverThreads {
 public:
  // Takes every set's lock first (kLocked when another archiver holds one, or, with
  // `skip_locked`, a warning and that set left out), then starts the threads.
  static Result<std::unique_ptr<ArchiverThreads>> start(
      const core::Config& config, storage::Backend& backend,
      const std::vector<const core::SetConfig*>& sets, bool skip_locked);
  ~ArchiverThreads();  // joins; archivers still running are asked to stop first
  ArchiverThreads(const ArchiverThreads&) = delete;
  ArchiverThreads& operator=(const ArchiverThreads&) = delete;

  [[nodiscard]] std::size_t size() const { return sets_.size(); }
  // Waits for every archiver to end; the first error, naming its set.
  Result<void> join();

 private:
  ArchiverThreads() = default;
  std::vector<const core::SetConfig*> sets_;
  std::vector<repo::SetLock> locks_;
  std::vector<std::unique_ptr<archive::ArchiveReporter>> reporters_;
  std::vector<Result<void>> results_;
  std::vector<std::thread> threads_;
};

}  // namespace dbkeep::cli
