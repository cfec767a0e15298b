#pragma once
// One JSON document per set in a directory of the state directory (the run records, the archive
// records): written atomically in a private directory, read back through the bounded parser.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dbkeep/core/error.hpp"

namespace dbkeep::ops {

// Writes <directory>/<set>.json (0640; the directory is created 0700).
Result<void> save_state_record(const std::filesystem::path& directory, const std::string& set,
                               const nlohmann::json& document);

// <directory>/<set>.json, or nullopt when there is none; unreadable JSON is an error naming it.
Result<std::optional<nlohmann::json>> load_state_record(const std::filesystem::path& directory,
                                                        const std::string& set);

}  // namespace dbkeep::ops
