#pragma once
// One JSON document per set in a directory of the state directory (the run records, the archive
// records): written atomically in a private directory, read back through the bounded parser.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/fd.hpp"

namespace dbkeep::ops {

// Writes <directory>/<set>.json (0640; the directory is created 0700).
Result<void> save_state_record(const std::filesystem::path& directory, const std::string& set,
                               const nlohmann::json& document);

// <directory>/<set>.json, or nullopt when there is none; unreadable JSON is an error naming it.
Result<std::optional<nlohmann::json>> load_state_record(const std::filesystem::path& directory,
                                                        const std::string& set);

// Serialises a read-modify-write of one record between processes: the archiver and
// `archive status` both update a set's archive record, and an update made between the other's
// load and save would be lost (and a gap announced twice). A blocking flock(2) on
// <directory>/<set>.lock, held only around one load and one save; the kernel drops it when
// the holder dies.
class StateRecordLock {
 public:
  static Result<StateRecordLock> acquire(const std::filesystem::path& directory,
                                         const std::string& set);

 private:
  explicit StateRecordLock(core::Fd fd) : fd_(std::move(fd)) {}
  core::Fd fd_;
};

}  // namespace dbkeep::ops
