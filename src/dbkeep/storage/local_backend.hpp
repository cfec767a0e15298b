#pragma once
// A repository in a local directory. Objects are files under the root, keys are their relative
// paths. Writers write to `.<name>.tmp-<pid>-<random>` beside the target and commit by fsync,
// rename, fsync of the directory, so a crash leaves either the old object or the new one plus
// perhaps a temp file that list() ignores. Files are created 0600 and directories 0700 (owner
// only): backups hold database contents, including password hashes, and must not be readable by
// anyone the owner did not choose; grant access with ACLs or a group if needed.

#include <filesystem>

#include "dbkeep/storage/backend.hpp"

namespace dbkeep::storage {

class LocalBackend final : public Backend {
 public:
  // `root` need not exist yet; it is created (0700) with the first object.
  explicit LocalBackend(std::filesystem::path root);

  Result<std::unique_ptr<Writer>> create(std::string_view key) override;
  Result<std::unique_ptr<Reader>> open(std::string_view key) override;
  Result<bool> exists(std::string_view key) override;
  Result<std::vector<ObjectInfo>> list(std::string_view prefix) override;
  Result<std::vector<std::string>> list_children(std::string_view prefix) override;
  Result<void> remove(std::string_view key) override;
  // A prefix ending in '/' removes that directory tree, temp files included; any other
  // prefix removes the matching objects one by one. The empty prefix is refused.
  Result<void> remove_prefix(std::string_view prefix) override;
  Result<std::optional<std::uint64_t>> free_bytes() override;
  [[nodiscard]] std::string describe() const override { return root_.string(); }

  // True for names the backend uses for uncommitted objects (`.<name>.tmp-…`).
  static bool is_temp_name(std::string_view file_name);

 private:
  Result<std::filesystem::path> path_of(std::string_view key) const;

  std::filesystem::path root_;
};

}  // namespace dbkeep::storage
