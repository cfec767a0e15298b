// What every backend does is checked in tests/integration/storage_contract_test.cpp; this is
// what only the local backend does: files, directories, modes, a full disk.

#include "dbkeep/storage/local_backend.hpp"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "support/byte_streams.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::storage {
namespace {

namespace fs = std::filesystem;
using test::bytes_of;

// Every regular file under `root`, temp files included, relative and sorted.
std::set<std::string> files_on_disk(const fs::path& root) {
  std::set<std::string> files;
  if (!fs::exists(root)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.insert(entry.path().lexically_relative(root).string());
  }
  return files;
}

mode_t permissions_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

class LocalBackendTest : public testing::Test {
 protected:
  core::TempDir directory_ = test::make_temp_dir();
  fs::path root_ = directory_.path() / "repo";  // not created: the backend must make it
  LocalBackend backend_{root_};
};

// Visibility on commit is in the storage contract suite; this is how the local backend does it.
TEST_F(LocalBackendTest, AnUncommittedObjectIsATempFileBesideItsTarget) {
  auto writer = backend_.create("main/1/manifest.json");
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->write(bytes_of("{}")));
  // The temp file sits beside the target, named so list() skips it.
  auto on_disk = files_on_disk(root_);
  ASSERT_EQ(on_disk.size(), 1u);
  fs::path temp = *on_disk.begin();
  EXPECT_EQ(temp.parent_path(), "main/1");
  EXPECT_TRUE(temp.filename().string().starts_with(".manifest.json.tmp-"));
  EXPECT_TRUE(LocalBackend::is_temp_name(temp.filename().string()));

  ASSERT_TRUE((*writer)->commit());
  EXPECT_EQ(files_on_disk(root_), std::set<std::string>{"main/1/manifest.json"});
}

TEST_F(LocalBackendTest, UncommittedWriterLeavesNoFileOnDisk) {
  {
    auto writer = backend_.create("main/1/ibdata1.zst");
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->write(bytes_of("partial")));
  }
  EXPECT_TRUE(files_on_disk(root_).empty());
}

TEST_F(LocalBackendTest, FilesAre0600AndDirectories0700WhateverTheUmask) {
  for (mode_t mask : {mode_t{077}, mode_t{0}}) {
    mode_t previous = ::umask(mask);
    std::string key = "set" + std::to_string(mask) + "/1/data";
    auto written = write_all(backend_, key, "secret rows");
    ::umask(previous);
    ASSERT_TRUE(written) << written.error().message;
    EXPECT_EQ(permissions_of(root_ / key), 0600u) << "umask " << mask;
    EXPECT_EQ(permissions_of((root_ / key).parent_path()), 0700u);
  }
}

TEST_F(LocalBackendTest, KeysThatCouldEscapeTheRootAreRejected) {
  const std::vector<std::string> keys = {
      "../outside", "a/../../outside", "/etc/passwd",         "a//b", "", "a/",
      ".",          "a/./b",           std::string("a\0b", 3)};
  for (const std::string& key : keys) {
    SCOPED_TRACE(key);
    auto created = backend_.create(key);
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().kind, ErrorKind::kUsage);
    EXPECT_FALSE(backend_.open(key));
    EXPECT_FALSE(backend_.exists(key));
    EXPECT_FALSE(backend_.remove(key));
  }
  EXPECT_FALSE(backend_.list("../"));
  EXPECT_FALSE(backend_.remove_prefix("../"));
  EXPECT_FALSE(fs::exists(directory_.path() / "outside"));
}

// Which objects a prefix removes is in the storage contract suite; locally a prefix ending in
// '/' removes the whole directory, temp files of killed writers included.
TEST_F(LocalBackendTest, PrefixRemovalRemovesTheDirectoryTree) {
  ASSERT_TRUE(write_all(backend_, "main/1/sub/b", "b"));
  auto abandoned = backend_.create("main/1/killed");
  ASSERT_TRUE(abandoned);
  ASSERT_TRUE(backend_.remove_prefix("main/1/"));
  EXPECT_FALSE(fs::exists(root_ / "main/1"));
  auto everything = backend_.remove_prefix("");
  ASSERT_FALSE(everything);
  EXPECT_EQ(everything.error().kind, ErrorKind::kUsage);
}

TEST_F(LocalBackendTest, FreeBytesWorksBeforeTheRootExists) {
  auto free = backend_.free_bytes();
  ASSERT_TRUE(free) << free.error().message;
  ASSERT_TRUE(free->has_value());
  EXPECT_GT(**free, 0u);
  EXPECT_EQ(backend_.describe(), root_.string());
}

// Unmounts on scope exit, before the TempDir holding the mount point is removed.
struct ScopedUnmount {
  fs::path point;
  ~ScopedUnmount() { ::umount2(point.c_str(), MNT_DETACH); }
};

TEST(LocalBackendDiskFullTest, FullDiskIsReportedWithThePathAndLeavesNothing) {
  auto directory = test::make_temp_dir();
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a 1 MiB tmpfs";
  if (::mount("tmpfs", directory.path().c_str(), "tmpfs", 0, "size=1m,mode=0700") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  ScopedUnmount unmount{directory.path()};
  LocalBackend backend(directory.path() / "repo");
  auto writer = backend.create("main/1/ibdata1");
  ASSERT_TRUE(writer);
  std::string chunk(64 * 1024, 'x');
  Result<void> written;
  for (int i = 0; i < 64 && written; ++i) written = (*writer)->write(bytes_of(chunk));
  if (written) written = (*writer)->commit();
  ASSERT_FALSE(written) << "4 MiB fit on a 1 MiB filesystem";
  EXPECT_NE(written.error().message.find("disk full"), std::string::npos)
      << written.error().message;
  EXPECT_NE(written.error().message.find((directory.path() / "repo/main/1/ibdata1").string()),
            std::string::npos)
      << written.error().message;
  writer->reset();
  EXPECT_TRUE(backend.list("")->empty());
  EXPECT_TRUE(files_on_disk(directory.path()).empty());
}

}  // namespace
}  // namespace dbkeep::storage
