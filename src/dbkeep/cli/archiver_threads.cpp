#include "dbkeep/cli/archiver_threads.hpp"

#include <algorithm>
#include <memory>

#include "dbkeep/archive/binlog_archiver.hpp"
#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"

namespace dbkeep::cli {

Result<std::unique_ptr<ArchiverThreads>> ArchiverThreads::start(
    const core::Config& config, storage::Backend& backend,
    const std::vector<const core::SetConfig*>& sets, bool skip_locked) {
  std::unique_ptr<ArchiverThreads> archivers(new ArchiverThreads());
  for (const auto* set : sets) {
    auto lock = repo::SetLock::acquire(config.repository.state_dir, set->name + "@archive");
    if (!lock) {
      if (skip_locked && lock.error().kind == ErrorKind::kLocked) {
        log::warn("not archiving set '" + set->name + "' here: " + lock.error().message);
        continue;
      }
      return std::unexpected(lock.error());
    }
    archivers->locks_.push_back(std::move(*lock));
    archivers->sets_.push_back(set);
    archivers->reporters_.push_back(std::make_unique<archive::ArchiveReporter>(
        config, set->name, ops::make_notifiers(config.notify)));
  }
  archivers->results_.resize(archivers->sets_.size());
  for (std::size_t i = 0; i < archivers->sets_.size(); ++i) {
    archivers->threads_.emplace_back([&config, &backend, raw = archivers.get(), i] {
      archive::ArchiverOptions options;
      options.work_dir = config.repository.state_dir / "archive" / raw->sets_[i]->name;
      auto& reporter = *raw->reporters_[i];
      options.on_segment = [&reporter](const archive::SegmentEntry& entry) {
        reporter.segment_stored(entry);
      };
      options.on_gap = [&reporter](const archive::BinlogPoint& after,
                                   const std::string& description) {
        reporter.gap_met(after, description);
      };
      raw->results_[i] = archive::run_binlog_archiver(*raw->sets_[i], backend, options);
      if (!raw->results_[i]) {
        const auto message = log::redact(raw->results_[i].error().message);
        log::error("archive of set '" + raw->sets_[i]->name + "' stopped: " + message);
        reporter.stopped(message);
      }
    });
  }
  return archivers;
}

ArchiverThreads::~ArchiverThreads() {
  // Destroyed while archivers still run (the daemon failed): they stop as on SIGTERM.
  bool running = std::ranges::any_of(threads_, [](const auto& t) { return t.joinable(); });
  if (running) core::request_cancellation();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

Result<void> ArchiverThreads::join() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  for (std::size_t i = 0; i < sets_.size(); ++i) {
    if (!results_[i]) {
      auto error = results_[i].error();
      error.message = "archive of set '" + sets_[i]->name + "': " + error.message;
      return std::unexpected(error);
    }
  }
  return {};
}

}  // namespace dbkeep::cli
