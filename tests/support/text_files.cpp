#include "support/text_files.hpp"

#include <fstream>
#include <iterator>

namespace dbkeep::test {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace dbkeep::test
