#include "dbkeep/backup/free_space.hpp"

#include <cmath>

#include "dbkeep/core/free_space.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/time_format.hpp"

namespace dbkeep::backup {

Result<void> check_free_space(storage::Backend& repository, const std::filesystem::path& temp_dir,
                              const source::SizeEstimate& estimate, double stored_ratio) {
  auto needed_repository =
      static_cast<std::uint64_t>(std::ceil(static_cast<double>(estimate.source_bytes) *
                                           std::clamp(stored_ratio, 0.05, 1.2))) +
      core::kFreeSpaceMargin;
  TRY_ASSIGN(auto repository_free, repository.free_bytes());
  if (repository_free) {
    log::debug("free space in the repository: " + core::format_bytes(*repository_free) +
               ", needed about " + core::format_bytes(needed_repository));
    if (*repository_free < needed_repository) {
      return fail("not enough free space in the repository " + repository.describe() +
                  ": the backup needs about " + core::format_bytes(needed_repository) + " (" +
                  core::format_bytes(estimate.source_bytes) + " of data), " +
                  core::format_bytes(*repository_free) + " are free");
    }
  }
  if (estimate.temp_bytes > 0) {
    std::uint64_t needed_temp = estimate.temp_bytes + core::kFreeSpaceMargin;
    TRY_ASSIGN(auto temp_free, core::filesystem_free_bytes(temp_dir));
    if (temp_free < needed_temp) {
      return fail("not enough free space in the temporary directory " + temp_dir.string() +
                  ": the backup needs about " + core::format_bytes(needed_temp) + ", " +
                  core::format_bytes(temp_free) +
                  " are free (set [repository] temp_dir to a larger filesystem)");
    }
  }
  return {};
}

}  // namespace dbkeep::backup
