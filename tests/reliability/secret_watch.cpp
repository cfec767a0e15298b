#include "secret_watch.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <sstream>

namespace dbkeep::test::reliability {
namespace {

namespace fs = std::filesystem;

// read(2), not a stream: a process may exit while it is read (ESRCH), and libstdc++ streams
// throw on such errors.
std::string read_all(const fs::path& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[65536];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  ::close(fd);
  return text;
}

}  // namespace

bool contains_any(const std::string& text, const std::vector<std::string>& secrets) {
  return std::any_of(secrets.begin(), secrets.end(), [&](const std::string& secret) {
    return text.find(secret) != std::string::npos;
  });
}

ProcSecretWatch::ProcSecretWatch(std::vector<std::string> secrets)
    : secrets_(std::move(secrets)), thread_([this] {
        while (!stop_) {
          scan_once();
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      }) {}

ProcSecretWatch::~ProcSecretWatch() {
  stop();
}

std::vector<std::string> ProcSecretWatch::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard guard(mutex_);
  return sightings_;
}

namespace {

// The parent of `pid` from /proc/PID/stat (the field after the command in parentheses), or 0.
pid_t parent_of(pid_t pid) {
  std::string stat = read_all(fs::path("/proc") / std::to_string(pid) / "stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 4 >= stat.size()) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string state;
  pid_t parent = 0;
  fields >> state >> parent;
  return parent;
}

// Only dbkeep and what it starts count: other programs on the machine (a benchmark using the
// same test secret, say) are not ours to judge.
bool descends_from(pid_t pid, pid_t ancestor) {
  for (int depth = 0; pid > 1 && depth < 64; ++depth) {
    pid = parent_of(pid);
    if (pid == ancestor) return true;
  }
  return false;
}

}  // namespace

void ProcSecretWatch::scan_once() {
  const pid_t self = ::getpid();
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator("/proc", ignored)) {
    auto name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    pid_t pid = std::stoi(name);
    if (pid == self || !descends_from(pid, self)) continue;
    std::string cmdline = read_all(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (contains_any(cmdline, secrets_)) {
      std::lock_guard guard(mutex_);
      sightings_.push_back("pid " + name + " command line: " + cmdline.substr(0, 80) + "…");
    }
    bool is_dbkeep = fs::read_symlink(entry.path() / "exe", ignored) == fs::path(DBKEEP_BINARY);
    if (!(is_dbkeep && dbkeep_environ_allowed_) &&
        contains_any(read_all(entry.path() / "environ"), secrets_)) {
      std::lock_guard guard(mutex_);
      sightings_.push_back("pid " + name + " (" + cmdline.substr(0, 60) + ") environment");
    }
  }
  scans_++;
}

std::vector<std::string> files_containing(const fs::path& root,
                                          const std::vector<std::string>& secrets,
                                          const std::vector<fs::path>& skip) {
  std::vector<std::string> found;
  std::error_code ignored;
  for (auto it = fs::recursive_directory_iterator(root, ignored);
       it != fs::recursive_directory_iterator(); it.increment(ignored)) {
    if (std::find(skip.begin(), skip.end(), it->path()) != skip.end()) {
      if (it->is_directory(ignored)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ignored)) continue;
    if (contains_any(read_all(it->path()), secrets)) {
      found.push_back(it->path().string() + " holds a secret");
    }
  }
  return found;
}

}  // namespace dbkeep::test::reliability
