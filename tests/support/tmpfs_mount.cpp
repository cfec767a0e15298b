#include "support/tmpfs_mount.hpp"

#include <sys/mount.h>

namespace dbkeep::test {

TmpfsMount::TmpfsMount(const std::filesystem::path& where, const std::string& size) : path_(where) {
  std::filesystem::create_directories(where);
  mounted_ = ::mount("tmpfs", where.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
}

TmpfsMount::~TmpfsMount() {
  if (!mounted_) return;
  ::umount2(path_.c_str(), MNT_DETACH);
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);  // only if empty: never what the test put below
}

}  // namespace dbkeep::test
