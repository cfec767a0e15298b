#include "leftovers.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace dbkeep::test::reliability {
namespace {

namespace fs = std::filesystem;

bool is_temp_object(const fs::path& path) {
  return path.filename().string().find(".tmp-") != std::string::npos;
}

void temp_objects_below(const fs::path& root, std::vector<std::string>& found) {
  std::error_code ignored;
  for (auto it = fs::recursive_directory_iterator(root, ignored);
       it != fs::recursive_directory_iterator(); it.increment(ignored)) {
    if (is_temp_object(it->path())) found.push_back("temp object " + it->path().string());
  }
}

std::vector<std::string> mount_points_below(const fs::path& root) {
  std::vector<std::string> found;
  std::ifstream mounts("/proc/self/mounts");
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string device, where;
    fields >> device >> where;
    if (where.starts_with(root.string() + "/")) found.push_back(where);
  }
  return found;
}

}  // namespace

std::vector<std::string> find_leftovers(const LeftoverPlaces& places) {
  std::vector<std::string> found;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(places.repository / places.set, ignored)) {
    auto name = entry.path().filename().string();
    if (name.starts_with('.')) continue;
    if (std::find(places.listed_ids.begin(), places.listed_ids.end(), name) ==
        places.listed_ids.end()) {
      found.push_back("unlisted backup directory " + entry.path().string());
    }
  }
  temp_objects_below(places.repository, found);
  temp_objects_below(places.state_dir, found);
  for (auto it = fs::recursive_directory_iterator(places.state_dir, ignored);
       it != fs::recursive_directory_iterator(); it.increment(ignored)) {
    // ops/atomic_file's temp files: ".<name>.XXXXXX" next to the file being replaced
    if (it->path().filename().string().starts_with('.')) {
      found.push_back("temp file " + it->path().string());
    }
  }
  for (const auto& entry : fs::directory_iterator(places.temp_dir, ignored)) {
    if (entry.path().filename().string().starts_with("dbkeep-" + places.set + "-")) {
      found.push_back("scratch directory " + entry.path().string());
    }
  }
  for (const auto* suffix : {".resources.json", ".resources.json.tmp"}) {
    if (fs::exists(places.state_dir / (places.set + suffix))) {
      found.push_back("resource journal " + (places.state_dir / (places.set + suffix)).string());
    }
  }
  if (!places.snapshot_dir.empty()) {
    for (const auto& entry : fs::directory_iterator(places.snapshot_dir, ignored)) {
      found.push_back("snapshot " + entry.path().string());
    }
  }
  if (!places.mounts_below.empty()) {
    for (const auto& where : mount_points_below(places.mounts_below)) {
      found.push_back("mount " + where);
    }
  }
  return found;
}

}  // namespace dbkeep::test::reliability
