#pragma once
// Scratch directories that outlive a killed dbkeep. A restore that works on a scratch server
// (`restore --only` from a snapshot or physical backup, `open`, the restore drill) makes its
// directory with ClaimedScratch, which holds an flock(2) on <dir>/.claim for as long as the
// owner lives; the kernel drops it when the owner dies, even by SIGKILL. The next such run
// calls reclaim_abandoned_scratch first: a directory of its kind whose claim nobody holds is
// an orphan — its scratch server (a process whose command line names the directory) is killed
// and the directory removed, and both are logged.

#include <filesystem>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/temp_dir.hpp"

namespace dbkeep::restore {

class ClaimedScratch {
 public:
  // A new directory <parent>/<prefix>XXXXXX, claimed.
  static Result<ClaimedScratch> create(const std::filesystem::path& parent,
                                       const std::string& prefix);
  [[nodiscard]] const std::filesystem::path& path() const { return dir_.path(); }

 private:
  ClaimedScratch(core::TempDir dir, core::Fd claim)
      : dir_(std::move(dir)), claim_(std::move(claim)) {}
  core::TempDir dir_;  // removed after the claim is released (members go in reverse order)
  core::Fd claim_;
};

// Kills the processes of, and removes, every unclaimed <parent>/<prefix>XXXXXX. Errors are
// logged, not returned: an orphan that cannot be removed must not stop today's restore.
void reclaim_abandoned_scratch(const std::filesystem::path& parent, const std::string& prefix);

}  // namespace dbkeep::restore
