#include "dbkeep/source/snapshot/zfs_snapshot_provider.hpp"

#include <algorithm>
#include <sstream>

#include "dbkeep/core/log.hpp"
#include "dbkeep/source/snapshot/snapshot_commands.hpp"

namespace dbkeep::source::snapshot {
namespace {

class ZfsSnapshotProvider final : public SnapshotProvider {
 public:
  ZfsSnapshotProvider(SnapshotOptions options, core::CommandRunner& runner,
                      core::ResourceJournal& journal)
      : options_(std::move(options)), runner_(runner), journal_(journal) {
    for (const auto& dataset : options_.volumes) {
      entries_.push_back(
          snapshot_entry(ProviderKind::kZfs, dataset + "@" + options_.name, options_.recursive));
    }
  }

  Result<void> prepare() override {
    mountpoints_.clear();
    for (const auto& dataset : options_.volumes) {
      TRY_ASSIGN(auto result,
                 run_checked(runner_, core::Command{.argv = {"zfs", "get", "-H", "-o", "value",
                                                             "mountpoint", dataset}}));
      std::string mountpoint;
      std::istringstream(result.stdout_text) >> mountpoint;
      if (mountpoint.empty() || mountpoint.front() != '/') {
        return fail("ZFS dataset " + dataset + " has mountpoint \"" + mountpoint +
                        "\"; its snapshot can only be read through .zfs/snapshot when the "
                        "dataset is mounted at a path",
                    ErrorKind::kUsage);
      }
      mountpoints_.emplace_back(mountpoint);
    }
    // One command for all datasets: ZFS takes them atomically, in the same transaction group.
    core::Command command{.argv = {"zfs", "snapshot"}};
    if (options_.recursive) command.argv.push_back("-r");
    for (const auto& entry : entries_) command.argv.push_back(entry.target);
    return pending_.arm(journal_, entries_, std::move(command));
  }

  // Under the lock: one command, nothing else (no journal write, no log line).
  Result<void> create() override {
    auto created = pending_.run(runner_, journal_, created_);
    if (!created) return propagate(created.error().with_context("creating ZFS snapshot"));
    return {};
  }

  Result<void> mount() override {
    if (!created_) return fail("ZFS snapshot: mount() called before create()");
    return {};  // readable under .zfs/snapshot; ZFS mounts it on first access
  }

  [[nodiscard]] std::filesystem::path readable_path(std::size_t index) const override {
    if (index >= mountpoints_.size()) return {};
    return mountpoints_[index] / ".zfs" / "snapshot" / options_.name;
  }

  // A ZFS snapshot shares the pool's space and cannot overflow on its own.
  Result<void> check_health() override { return {}; }

  Result<void> unmount() override { return {}; }

  // Destroys every dataset's snapshot, even when one fails, and reports the first failure.
  Result<void> remove() override {
    if (!created_) {
      pending_.disarm(journal_);
      return {};
    }
    std::optional<Error> first_failure;
    for (const auto& entry : entries_) {
      if (std::ranges::find(journal_.entries(), entry) == journal_.entries().end()) continue;
      auto removed = run_with_retries(runner_, snapshot_removal_command(entry), options_.retry);
      if (removed) {
        forget_undone(journal_, entry);
        log::info("destroyed ZFS snapshot " + entry.target);
      } else if (!first_failure) {
        first_failure = removed.error();
      }
    }
    if (first_failure) return propagate(*first_failure);
    created_ = false;
    return {};
  }

  [[nodiscard]] std::string description() const override {
    return "ZFS snapshot " + (entries_.empty() ? options_.name : entries_.front().target) +
           (entries_.size() > 1 ? " (+" + std::to_string(entries_.size() - 1) + " datasets)" : "");
  }

 private:
  SnapshotOptions options_;
  core::CommandRunner& runner_;
  core::ResourceJournal& journal_;
  std::vector<core::JournalEntry> entries_;  // one per dataset: "DATASET@NAME"
  std::vector<std::filesystem::path> mountpoints_;
  PendingCreation pending_;
  bool created_ = false;
};

}  // namespace

std::unique_ptr<SnapshotProvider> make_zfs_snapshot_provider(SnapshotOptions options,
                                                             core::CommandRunner& runner,
                                                             core::ResourceJournal& journal) {
  return std::make_unique<ZfsSnapshotProvider>(std::move(options), runner, journal);
}

}  // namespace dbkeep::source::snapshot
