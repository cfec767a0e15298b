#pragma once
// Looks for a secret where it must never be: in the command line of dbkeep or anything it starts,
// in the environment of any process but the one it was handed to, and in files (logs, --json
// output, repository, state) after the run.

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dbkeep::test::reliability {

// Polls /proc/*/cmdline and /proc/*/environ while it lives. The dbkeep binary itself may hold a
// secret in its environment when it was handed one there (allow_dbkeep_environ); its children
// never may. The test process's own environment is never read.
class ProcSecretWatch {
 public:
  explicit ProcSecretWatch(std::vector<std::string> secrets);
  ~ProcSecretWatch();
  ProcSecretWatch(const ProcSecretWatch&) = delete;
  ProcSecretWatch& operator=(const ProcSecretWatch&) = delete;

  void allow_dbkeep_environ(bool allowed) { dbkeep_environ_allowed_ = allowed; }
  // Stops polling; returns "pid N cmdline: …" for every sighting, and the number of scans.
  std::vector<std::string> stop();
  [[nodiscard]] std::uint64_t scans() const { return scans_; }

 private:
  void scan_once();

  std::vector<std::string> secrets_;
  std::atomic<bool> dbkeep_environ_allowed_{false};
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> scans_{0};
  std::mutex mutex_;
  std::vector<std::string> sightings_;
  std::thread thread_;
};

// Files below `root` (recursively, skipping `skip`) containing any secret, and files that are
// world-readable, as descriptions.
std::vector<std::string> files_containing(const std::filesystem::path& root,
                                          const std::vector<std::string>& secrets,
                                          const std::vector<std::filesystem::path>& skip = {});
// True when `text` contains any of `secrets`.
bool contains_any(const std::string& text, const std::vector<std::string>& secrets);

}  // namespace dbkeep::test::reliability
