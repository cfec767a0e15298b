#include "dbkeep/restore/scratch_claim.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "dbkeep/core/log.hpp"

namespace dbkeep::restore {
namespace {

namespace fs = std::filesystem;

constexpr const char* kClaimFile = ".claim";

// Processes whose command line mentions `fragment` (a scratch directory's path).
std::vector<pid_t> processes_naming(const std::string& fragment) {
  std::vector<pid_t> found;
  std::error_code error;
  for (auto it = fs::directory_iterator("/proc", error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(it->path() / "cmdline", std::ios::binary);
    std::string command((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (command.find(fragment) != std::string::npos) found.push_back(std::stoi(name));
  }
  return found;
}

void kill_and_wait(pid_t pid) {
  ::kill(pid, SIGKILL);
  for (int waited = 0; waited < 100 && ::kill(pid, 0) == 0; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

Result<ClaimedScratch> ClaimedScratch::create(const fs::path& parent, const std::string& prefix) {
  TRY_ASSIGN(auto dir, core::TempDir::create(parent, prefix));
  const auto path = dir.path() / kClaimFile;
  core::Fd claim(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!claim) return fail(errno_message("cannot create " + path.string(), errno));
  if (::flock(claim.get(), LOCK_EX | LOCK_NB) != 0) {
    return fail(errno_message("cannot lock " + path.string(), errno));
  }
  return ClaimedScratch(std::move(dir), std::move(claim));
}

void reclaim_abandoned_scratch(const fs::path& parent, const std::string& prefix) {
  std::error_code error;
  for (auto it = fs::directory_iterator(parent, error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    // mkdtemp appends exactly six characters.
    if (!name.starts_with(prefix) || name.size() != prefix.size() + 6) continue;
    const auto claim_path = it->path() / kClaimFile;
    core::Fd claim(::open(claim_path.c_str(), O_RDWR | O_CLOEXEC));
    if (claim && ::flock(claim.get(), LOCK_EX | LOCK_NB) != 0) continue;  // its owner lives
    if (!claim) {
      // No claim yet: a run that has just made its directory, unless it is old.
      std::error_code age_error;
      const auto modified = fs::last_write_time(it->path(), age_error);
      if (age_error || fs::file_time_type::clock::now() - modified < std::chrono::minutes(1)) {
        continue;
      }
    }
    // Unclaimed (or made before claims existed, or killed before it claimed): an orphan.
    for (pid_t pid : processes_naming(it->path().string() + "/")) {
      log::warn("stopping scratch server " + std::to_string(pid) + " left in " +
                it->path().string() + " by a dbkeep that was killed");
      kill_and_wait(pid);
    }
    std::error_code removed;
    fs::remove_all(it->path(), removed);
    if (removed) {
      log::warn("cannot remove scratch directory " + it->path().string() + " left by a killed " +
                "dbkeep: " + removed.message());
    } else {
      log::warn("removed scratch directory " + it->path().string() + " left by a killed dbkeep");
    }
  }
}

}  // namespace dbkeep::restore
