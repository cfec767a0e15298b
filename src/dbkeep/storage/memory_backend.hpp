#pragma once
// A Backend that keeps objects in memory, for tests. Thread-safe. Same semantics as the local
// directory: an object becomes visible only when its Writer commits, and a Reader keeps
// reading the content it opened even if the key is replaced or removed meanwhile.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "dbkeep/storage/backend.hpp"

namespace dbkeep::storage {

class MemoryBackend final : public Backend {
 public:
  Result<std::unique_ptr<Writer>> create(std::string_view key) override;
  Result<std::unique_ptr<Reader>> open(std::string_view key) override;
  Result<bool> exists(std::string_view key) override;
  Result<std::vector<ObjectInfo>> list(std::string_view prefix) override;
  Result<std::vector<std::string>> list_children(std::string_view prefix) override;
  Result<void> remove(std::string_view key) override;
  Result<void> remove_prefix(std::string_view prefix) override;
  Result<std::optional<std::uint64_t>> free_bytes() override { return std::nullopt; }
  [[nodiscard]] std::string describe() const override { return "memory:"; }

  // Direct access for tests (e.g. to damage a stored object). Keys are not validated.
  std::optional<std::string> get(std::string_view key) const;
  void put(std::string_view key, std::string content);

 private:
  using Content = std::shared_ptr<const std::string>;

  mutable std::mutex mutex_;
  std::map<std::string, Content, std::less<>> objects_;
};

}  // namespace dbkeep::storage
