#pragma once
// Free space on a local filesystem, for the checks that refuse a backup or restore up front
// (with both numbers) rather than half way through a multi-gigabyte copy.

#include <cstdint>
#include <filesystem>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

// Kept free beyond every estimate: metadata, manifests and estimation error.
inline constexpr std::uint64_t kFreeSpaceMargin = 16ULL << 20;

// Free bytes on the filesystem holding `path` (or its nearest existing parent).
Result<std::uint64_t> filesystem_free_bytes(const std::filesystem::path& path);

}  // namespace dbkeep::core
