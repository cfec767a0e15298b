#pragma once
// Refuses a backup early, with both numbers, when it would not fit: better than failing half
// way through a multi-gigabyte copy.

#include <cstdint>
#include <filesystem>
#include <optional>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/backup_source.hpp"
#include "dbkeep/storage/backend.hpp"

namespace dbkeep::backup {

// `stored_ratio` is stored/plaintext of the set's previous backup (1.0 when there is none, as
// compression cannot be promised for data we have not seen).
Result<void> check_free_space(storage::Backend& repository, const std::filesystem::path& temp_dir,
                              const source::SizeEstimate& estimate, double stored_ratio);

}  // namespace dbkeep::backup
