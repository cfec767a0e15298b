#include "dbkeep/source/snapshot/snapshot_provider.hpp"

#include <algorithm>
#include <cctype>

#include "dbkeep/source/snapshot/btrfs_snapshot_provider.hpp"
#include "dbkeep/source/snapshot/lvm_snapshot_provider.hpp"
#include "dbkeep/source/snapshot/zfs_snapshot_provider.hpp"

namespace dbkeep::source::snapshot {
namespace {

// The name becomes an LV name, a path component and a ZFS snapshot name: keep to characters all
// three accept, and never start with '-' (it would read as an option).
bool is_safe_name(std::string_view name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name.front()))) return false;
  return std::ranges::all_of(name, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

Result<void> validate(const SnapshotOptions& options) {
  std::string provider(to_string(options.provider));
  if (!is_safe_name(options.name)) {
    return usage_error("snapshot name \"" + options.name +
                       "\" must start with a letter or digit and hold only letters, digits, "
                       "'_', '-' and '.'");
  }
  if (options.volumes.empty()) return usage_error("snapshot.volume is required");
  if (options.provider != ProviderKind::kZfs && options.volumes.size() != 1) {
    return usage_error(provider + " snapshots take exactly one snapshot.volume");
  }
  for (const auto& volume : options.volumes) {
    if (volume.empty() || volume.front() == '-') {
      return usage_error("snapshot.volume \"" + volume + "\" is not a volume");
    }
  }
  if (options.provider != ProviderKind::kZfs && !options.mount_point.is_absolute()) {
    return usage_error(provider + " snapshots need an absolute snapshot.mount_point");
  }
  if (options.provider != ProviderKind::kLvm && (options.size_bytes || options.mount_options)) {
    return usage_error("snapshot.size and snapshot.mount_options apply to lvm only");
  }
  if (options.fill_limit_percent <= 0 || options.fill_limit_percent > 100) {
    return usage_error("the snapshot fill limit must be a percentage in (0, 100]");
  }
  return {};
}

}  // namespace

Result<ProviderKind> parse_provider_kind(std::string_view text) {
  if (auto kind = core::parse_snapshot_provider(text)) return *kind;
  return usage_error("unknown snapshot provider \"" + std::string(text) + "\" (expected " +
                     core::snapshot_provider_choices() + ")");
}

ProviderTool provider_tool(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kLvm:
      return {"lvcreate", "lvm2"};
    case ProviderKind::kBtrfs:
      return {"btrfs", "btrfs-progs"};
    case ProviderKind::kZfs:
      return {"zfs", "zfsutils-linux"};
  }
  return {"", ""};
}

Result<std::unique_ptr<SnapshotProvider>> make_snapshot_provider(SnapshotOptions options,
                                                                 core::CommandRunner& runner,
                                                                 core::ResourceJournal& journal) {
  TRY(validate(options));
  switch (options.provider) {
    case ProviderKind::kLvm:
      return make_lvm_snapshot_provider(std::move(options), runner, journal);
    case ProviderKind::kBtrfs:
      return make_btrfs_snapshot_provider(std::move(options), runner, journal);
    case ProviderKind::kZfs:
      return make_zfs_snapshot_provider(std::move(options), runner, journal);
  }
  return usage_error("unknown snapshot provider");
}

}  // namespace dbkeep::source::snapshot
