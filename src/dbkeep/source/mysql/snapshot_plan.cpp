#include "dbkeep/source/mysql/snapshot_plan.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace dbkeep::source::mysql {
namespace fs = std::filesystem;
namespace {

// Resolves symlinks where the path exists, so /var/lib/mysql -> /srv/mysql compares right.
fs::path resolved(const fs::path& path) {
  std::error_code ignored;
  auto canonical = fs::weakly_canonical(path, ignored);
  auto normal = (canonical.empty() ? path : canonical).lexically_normal();
  // "/var/lib/mysql/" (as @@datadir reads) and "/var/lib/mysql" are the same directory.
  if (!normal.has_filename() && normal != normal.root_path()) normal = normal.parent_path();
  return normal;
}

bool is_inside(const fs::path& path, const fs::path& root) {
  auto relative = resolved(path).lexically_relative(resolved(root));
  return !relative.empty() && *relative.begin() != "..";  // "." (the root itself) counts
}

}  // namespace

Result<QuiesceOptions> quiesce_options(const core::MysqlConfig& config) {
  QuiesceOptions options;
  options.lock_mode = config.lock;
  options.lock_wait_timeout = std::chrono::seconds(config.lock_wait_timeout_s);
  options.lock_attempts = config.lock_attempts;
  options.watchdog = std::chrono::milliseconds(config.watchdog_ms);
  options.long_query_threshold = std::chrono::seconds(config.long_query_seconds);
  options.long_query_max_wait = std::chrono::seconds(config.long_query_max_wait_s);
  options.long_query_action = config.long_query_action;
  return options;
}

std::string snapshot_name(const std::string& set, const std::string& id) {
  std::string name = "dbkeep_" + set + "_" + id;
  std::ranges::replace_if(
      name,
      [](char c) { return !std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-'; },
      '_');
  return name;
}

Result<snapshot::SnapshotOptions> snapshot_options(const core::SnapshotConfig& config,
                                                   const std::string& name) {
  snapshot::SnapshotOptions options;
  options.provider = config.provider;
  options.volumes = config.volumes;
  options.size_bytes = config.size;
  options.mount_point = config.mount_point;
  options.name = name;
  options.mount_options = config.mount_options;
  options.recursive = config.recursive;
  options.fill_limit_percent = config.fill_limit_percent;
  return options;
}

Result<DatadirLocation> locate_datadir(const ServerFacts& facts,
                                       const std::vector<fs::path>& live_roots,
                                       const fs::path& repository_path) {
  for (std::size_t i = 0; i < live_roots.size(); ++i) {
    if (!repository_path.empty() && is_inside(repository_path, live_roots[i])) {
      return usage_error("the repository " + repository_path.string() +
                         " lies on the snapshotted volume " + live_roots[i].string() +
                         ": the backup would copy itself; put the repository elsewhere");
    }
  }
  std::optional<DatadirLocation> location;
  for (std::size_t i = 0; i < live_roots.size() && !location; ++i) {
    if (is_inside(facts.datadir, live_roots[i])) {
      location =
          DatadirLocation{i, resolved(facts.datadir).lexically_relative(resolved(live_roots[i]))};
    }
  }
  std::string roots;
  for (const auto& root : live_roots) roots += (roots.empty() ? "" : ", ") + root.string();
  if (!location) {
    return usage_error("the datadir " + facts.datadir.string() +
                       " is not on the snapshotted volume (mounted at " + roots +
                       "); set snapshot.volume to the volume holding it");
  }
  for (const auto& path : paths_requiring_snapshot(facts)) {
    bool on_volume = std::ranges::any_of(
        live_roots, [&](const fs::path& root) { return is_inside(path, root); });
    if (!on_volume) {
      return usage_error(path.string() + " is outside the snapshotted volume (mounted at " + roots +
                         "): a snapshot would not hold a consistent copy of it");
    }
    if (!is_inside(path, facts.datadir)) {
      return usage_error(path.string() + " is outside the datadir " + facts.datadir.string() +
                         ": the snapshot method copies the datadir only; move it into the "
                         "datadir or use method = \"physical\"");
    }
  }
  return *location;
}

Result<DatadirListing> list_datadir(const fs::path& root) {
  DatadirListing listing;
  std::error_code error;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, error);
  if (error) return fail("cannot read " + root.string() + ": " + error.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) break;
    const auto& entry = *it;
    auto relative = entry.path().lexically_relative(root).generic_string();
    if (entry.is_symlink(error)) continue;  // not followed into directories either
    if (entry.is_directory(error)) {
      listing.directories.push_back(relative);
    } else if (entry.is_regular_file(error)) {
      listing.files.push_back(FileToCopy{entry.path(), relative, entry.file_size(error)});
    }
    if (error) break;
  }
  if (error) return fail("cannot read " + root.string() + ": " + error.message());
  std::ranges::sort(listing.directories);
  return listing;
}

}  // namespace dbkeep::source::mysql
