#include "dbkeep/ops/state_record_file.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "dbkeep/core/bounded_json.hpp"
#include "dbkeep/core/private_directory.hpp"
#include "dbkeep/ops/atomic_file.hpp"

namespace dbkeep::ops {

Result<void> save_state_record(const std::filesystem::path& directory, const std::string& set,
                               const nlohmann::json& document) {
  TRY(core::create_private_directories(directory));  // inside the state directory: 0700
  return write_file_atomically(directory / (set + ".json"), document.dump(2) + "\n", 0640);
}

Result<std::optional<nlohmann::json>> load_state_record(const std::filesystem::path& directory,
                                                        const std::string& set) {
  auto path = directory / (set + ".json");
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<nlohmann::json>();
  TRY_ASSIGN(auto text, read_whole_file(path));
  auto document = core::parse_bounded_json(text);
  if (!document) return fail(path.string() + " " + core::describe(document.error()));
  return std::optional<nlohmann::json>(std::move(*document));
}

Result<StateRecordLock> StateRecordLock::acquire(const std::filesystem::path& directory,
                                                 const std::string& set) {
  TRY(core::create_private_directories(directory));
  auto path = directory / (set + ".lock");
  core::Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  if (!fd) return fail(errno_message("cannot open lock file " + path.string(), errno));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return fail(errno_message("cannot lock " + path.string(), errno));
  }
  return StateRecordLock(std::move(fd));
}

}  // namespace dbkeep::ops
