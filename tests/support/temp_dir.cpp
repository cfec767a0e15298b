#include "support/temp_dir.hpp"

#include <stdexcept>

namespace dbkeep::test {

core::TempDir make_temp_dir(const std::string& prefix, const std::filesystem::path& parent) {
  auto made = core::TempDir::create(
      parent.empty() ? std::filesystem::temp_directory_path() : parent, prefix);
  if (!made) throw std::runtime_error(made.error().message);
  return std::move(*made);
}

}  // namespace dbkeep::test
