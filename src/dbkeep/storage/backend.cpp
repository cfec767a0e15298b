#include "dbkeep/storage/backend.hpp"

#include <array>

namespace dbkeep::storage {

Result<std::string> read_all(Backend& backend, std::string_view key) {
  TRY_ASSIGN(auto reader, backend.open(key));
  std::string content;
  std::array<std::byte, 64 * 1024> buffer;
  for (;;) {
    TRY_ASSIGN(std::size_t got, reader->read(buffer));
    if (got == 0) break;
    content.append(reinterpret_cast<const char*>(buffer.data()), got);
  }
  return content;
}

Result<void> write_all(Backend& backend, std::string_view key, std::string_view content) {
  TRY_ASSIGN(auto writer, backend.create(key));
  TRY(writer->write(std::as_bytes(std::span(content.data(), content.size()))));
  return writer->commit();
}

}  // namespace dbkeep::storage
