#include "dbkeep/source/snapshot/lvm_snapshot_provider.hpp"

#include <sstream>

#include "dbkeep/core/log.hpp"
#include "dbkeep/source/snapshot/lvm_device_path.hpp"
#include "dbkeep/source/snapshot/lvm_sizing.hpp"
#include "dbkeep/source/snapshot/snapshot_commands.hpp"

namespace dbkeep::source::snapshot {
namespace {

class LvmSnapshotProvider final : public SnapshotProvider {
 public:
  LvmSnapshotProvider(SnapshotOptions options, core::CommandRunner& runner,
                      core::ResourceJournal& journal)
      : options_(std::move(options)), runner_(runner), journal_(journal) {}

  Result<void> prepare() override {
    TRY_ASSIGN(auto origin,
               run_checked(runner_, c_locale_command({"lvs", "--noheadings", "--units", "b",
                                                      "--nosuffix", "-o", "vg_name,lv_name,lv_size",
                                                      options_.volumes.front()})));
    std::istringstream fields(origin.stdout_text);
    std::string lv_size_text;
    fields >> volume_group_ >> origin_volume_ >> lv_size_text;
    auto lv_size = lvm::parse_byte_count(lv_size_text);
    if (volume_group_.empty() || origin_volume_.empty() || !lv_size) {
      return fail("cannot read the logical volume of " + options_.volumes.front() +
                  " from lvs output \"" + origin.stdout_text + "\"");
    }
    target_ = volume_group_ + "/" + options_.name;

    if (options_.size_bytes) {
      size_bytes_ = *options_.size_bytes;
      log::info("LVM snapshot size " + lvm::human_size(size_bytes_) + " (configured)");
    } else {
      TRY(compute_size(*lv_size));
    }
    return pending_.arm(journal_, {snapshot_entry(ProviderKind::kLvm, target_)},
                        c_locale_command({"lvcreate", "--snapshot", "--size",
                                          lvm::format_size_argument(size_bytes_), "--name",
                                          options_.name, volume_group_ + "/" + origin_volume_}));
  }

  // Under the lock: one command, nothing else (no journal write, no log line).
  Result<void> create() override {
    auto created = pending_.run(runner_, journal_, created_);
    if (!created) return propagate(created.error().with_context("creating LVM snapshot"));
    return {};
  }

  Result<void> mount() override {
    if (!created_) return fail("LVM snapshot: mount() called before create()");
    std::error_code error;
    std::filesystem::create_directories(options_.mount_point, error);
    if (error) {
      return fail("creating mount point " + options_.mount_point.string() + ": " + error.message());
    }
    // /dev/<vg>/<lv>, or device-mapper's name in a container without udev.
    const std::string device = lvm::device_path(volume_group_, options_.name).string();
    std::string options = options_.mount_options.value_or("");
    std::vector<std::string> argv = {"mount"};
    if (!options_.mount_options) {
      TRY_ASSIGN(auto probe, run_checked(runner_, core::Command{.argv = {"blkid", "-o", "value",
                                                                         "-s", "TYPE", device}}));
      std::string type;
      std::istringstream(probe.stdout_text) >> type;
      options = read_only_mount_options(type);
      if (!type.empty()) argv.insert(argv.end(), {"-t", type});
    }
    argv.insert(argv.end(), {"-o", options, device, options_.mount_point.string()});

    auto entry = mount_entry(options_.mount_point);
    TRY(journal_.record(entry));
    auto mounted = run_checked(runner_, core::Command{.argv = std::move(argv)});
    if (!mounted) {
      forget_undone(journal_, entry);
      return propagate(mounted.error().with_context("mounting LVM snapshot " + target_));
    }
    mounted_ = true;
    log::info("mounted LVM snapshot " + target_ + " (" + device + ") read-only at " +
              options_.mount_point.string() + " (" + options + ")");
    return {};
  }

  [[nodiscard]] std::filesystem::path readable_path(std::size_t) const override {
    return options_.mount_point;
  }

  Result<void> check_health() override {
    if (!created_) return {};
    TRY_ASSIGN(auto result,
               run_checked(runner_, c_locale_command({"lvs", "--noheadings", "-o",
                                                      "lv_attr,data_percent", target_})));
    TRY_ASSIGN(auto fill, lvm::parse_snapshot_fill(result.stdout_text));
    std::string advice =
        "; the copy cannot be trusted, so the backup fails. Make snapshot.size "
        "at least " +
        lvm::human_size(lvm::suggested_size_after_overflow(size_bytes_)) + " (it was " +
        lvm::human_size(size_bytes_) + ") or back up when fewer writes happen";
    if (fill.invalid) {
      return fail("LVM snapshot " + target_ + " overflowed: its copy-on-write space filled up" +
                  advice);
    }
    if (fill.data_percent >= options_.fill_limit_percent) {
      char percent[16];
      std::snprintf(percent, sizeof percent, "%.1f", fill.data_percent);
      return fail("LVM snapshot " + target_ + " is " + percent + "% full (limit " +
                  std::to_string(static_cast<int>(options_.fill_limit_percent)) + "%)" + advice);
    }
    log::debug("LVM snapshot " + target_ + " fill " + std::to_string(fill.data_percent) + "%");
    return {};
  }

  Result<void> unmount() override {
    if (!mounted_) return {};
    TRY(unmount_path(runner_, options_.mount_point, options_.retry));
    mounted_ = false;
    forget_undone(journal_, mount_entry(options_.mount_point));
    log::info("unmounted LVM snapshot " + target_ + " from " + options_.mount_point.string());
    return {};
  }

  Result<void> remove() override {
    if (!created_) {
      pending_.disarm(journal_);
      return {};
    }
    auto entry = snapshot_entry(ProviderKind::kLvm, target_);
    TRY(run_with_retries(runner_, snapshot_removal_command(entry), options_.retry));
    created_ = false;
    forget_undone(journal_, entry);
    log::info("removed LVM snapshot " + target_);
    return {};
  }

  [[nodiscard]] std::string description() const override {
    return "LVM snapshot " + (target_.empty() ? options_.name : target_);
  }

 private:
  Result<void> compute_size(std::uint64_t lv_size) {
    TRY_ASSIGN(auto group, run_checked(runner_, c_locale_command({"vgs", "--noheadings", "--units",
                                                                  "b", "--nosuffix", "-o",
                                                                  "vg_free", volume_group_})));
    TRY_ASSIGN(auto vg_free, lvm::parse_byte_count(group.stdout_text));
    TRY_ASSIGN(size_bytes_, lvm::auto_snapshot_size(lv_size, vg_free, volume_group_));
    log::info("LVM snapshot size " + lvm::human_size(size_bytes_) + " (automatic: 15% of " +
              volume_group_ + "/" + origin_volume_ + " (" + lvm::human_size(lv_size) +
              "), at least 1 GiB, within the " + lvm::human_size(vg_free) + " free in " +
              volume_group_ + "; set snapshot.size to choose)");
    return {};
  }

  SnapshotOptions options_;
  core::CommandRunner& runner_;
  core::ResourceJournal& journal_;
  std::string volume_group_, origin_volume_, target_;  // target_ = "VG/NAME"
  std::uint64_t size_bytes_ = 0;
  PendingCreation pending_;
  bool created_ = false;
  bool mounted_ = false;
};

}  // namespace

std::string read_only_mount_options(std::string_view filesystem_type) {
  if (filesystem_type == "xfs") return "ro,nouuid,norecovery";
  if (filesystem_type == "ext3" || filesystem_type == "ext4") return "ro,noload";
  return "ro";
}

std::unique_ptr<SnapshotProvider> make_lvm_snapshot_provider(SnapshotOptions options,
                                                             core::CommandRunner& runner,
                                                             core::ResourceJournal& journal) {
  return std::make_unique<LvmSnapshotProvider>(std::move(options), runner, journal);
}

}  // namespace dbkeep::source::snapshot
