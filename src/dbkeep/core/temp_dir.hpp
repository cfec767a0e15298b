#pragma once
// A private (0700) temporary directory, removed with everything in it on destruction.

#include <filesystem>
#include <string>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

class TempDir {
 public:
  static Result<TempDir> create(const std::filesystem::path& parent, const std::string& prefix);
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace dbkeep::core
