#include "dbkeep/ops/state_record_file.hpp"

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

}  // namespace dbkeep::ops
