#pragma once
// A small tmpfs mounted for one test (a disk that fills up), unmounted on destruction. Needs
// root; mounted() says whether it worked. The mount point is removed afterwards if empty.

#include <filesystem>
#include <string>

namespace dbkeep::test {

class TmpfsMount {
 public:
  // Creates `where` if needed and mounts a tmpfs of `size` ("8m") there.
  TmpfsMount(const std::filesystem::path& where, const std::string& size);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  [[nodiscard]] bool mounted() const { return mounted_; }

 private:
  std::filesystem::path path_;
  bool mounted_ = false;
};

}  // namespace dbkeep::test
