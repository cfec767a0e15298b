#include "dbkeep/source/snapshot/btrfs_snapshot_provider.hpp"

#include "dbkeep/core/log.hpp"
#include "dbkeep/source/snapshot/snapshot_commands.hpp"

namespace dbkeep::source::snapshot {
namespace {

class BtrfsSnapshotProvider final : public SnapshotProvider {
 public:
  BtrfsSnapshotProvider(SnapshotOptions options, core::CommandRunner& runner,
                        core::ResourceJournal& journal)
      : options_(std::move(options)),
        runner_(runner),
        journal_(journal),
        destination_(options_.mount_point / options_.name) {}

  Result<void> prepare() override {
    const std::string& subvolume = options_.volumes.front();
    auto shown =
        run_checked(runner_, core::Command{.argv = {"btrfs", "subvolume", "show", subvolume}});
    if (!shown) {
      return fail(subvolume + " is not a btrfs subvolume (" + shown.error().message +
                      "); snapshot.volume must name the subvolume holding the datadir",
                  ErrorKind::kUsage);
    }
    return pending_.arm(journal_, {snapshot_entry(ProviderKind::kBtrfs, destination_.string())},
                        core::Command{.argv = {"btrfs", "subvolume", "snapshot", "-r", subvolume,
                                               destination_.string()}});
  }

  // Under the lock: one command, nothing else (no journal write, no log line).
  Result<void> create() override {
    auto created = pending_.run(runner_, journal_, created_);
    if (!created) return propagate(created.error().with_context("creating btrfs snapshot"));
    return {};
  }

  Result<void> mount() override {
    if (!created_) return fail("btrfs snapshot: mount() called before create()");
    return {};  // a btrfs snapshot is readable where it was created
  }

  [[nodiscard]] std::filesystem::path readable_path(std::size_t) const override {
    return destination_;
  }

  // A btrfs snapshot shares the filesystem's free space and cannot overflow on its own.
  Result<void> check_health() override { return {}; }

  Result<void> unmount() override { return {}; }

  Result<void> remove() override {
    if (!created_) {
      pending_.disarm(journal_);
      return {};
    }
    auto entry = snapshot_entry(ProviderKind::kBtrfs, destination_.string());
    TRY(run_with_retries(runner_, snapshot_removal_command(entry), options_.retry));
    created_ = false;
    forget_undone(journal_, entry);
    log::info("removed btrfs snapshot " + destination_.string());
    return {};
  }

  [[nodiscard]] std::string description() const override {
    return "btrfs snapshot " + destination_.string();
  }

 private:
  SnapshotOptions options_;
  core::CommandRunner& runner_;
  core::ResourceJournal& journal_;
  std::filesystem::path destination_;
  PendingCreation pending_;
  bool created_ = false;
};

}  // namespace

std::unique_ptr<SnapshotProvider> make_btrfs_snapshot_provider(SnapshotOptions options,
                                                               core::CommandRunner& runner,
                                                               core::ResourceJournal& journal) {
  return std::make_unique<BtrfsSnapshotProvider>(std::move(options), runner, journal);
}

}  // namespace dbkeep::source::snapshot
