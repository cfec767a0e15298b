#include "dbkeep/storage/memory_backend.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "support/byte_streams.hpp"

namespace dbkeep::storage {
namespace {

using test::bytes_of;

TEST(MemoryBackendTest, ObjectAppearsOnlyOnCommit) {
  MemoryBackend backend;
  {
    auto writer = backend.create("a/b");
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->write(bytes_of("abandoned")));
  }
  EXPECT_FALSE(backend.exists("a/b").value());
  auto writer = backend.create("a/b");
  ASSERT_TRUE((*writer)->write(bytes_of("kept")));
  EXPECT_FALSE(backend.exists("a/b").value());
  ASSERT_TRUE((*writer)->commit());
  EXPECT_EQ(read_all(backend, "a/b").value(), "kept");
  EXPECT_FALSE((*writer)->commit());
}

TEST(MemoryBackendTest, ListsByPrefixSortedWithSizes) {
  MemoryBackend backend;
  for (std::string key : {"main/2/x", "main/1/y", "mainly/z", "other/w"}) {
    ASSERT_TRUE(write_all(backend, key, key));
  }
  auto listed = backend.list("main/");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, "main/1/y");
  EXPECT_EQ((*listed)[0].size, 8u);
  EXPECT_EQ((*listed)[1].key, "main/2/x");
  EXPECT_EQ(backend.list("main")->size(), 3u);
  EXPECT_EQ(backend.list("")->size(), 4u);
}

TEST(MemoryBackendTest, MissingKeyErrorNamesIt) {
  MemoryBackend backend;
  auto opened = backend.open("main/1/manifest.json");
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("main/1/manifest.json not found"), std::string::npos);
}

TEST(MemoryBackendTest, RemoveIsIdempotentAndPrefixRemovalIsBounded) {
  MemoryBackend backend;
  for (std::string key : {"main/1/a", "main/1/b", "main/10/a", "main/2/a"}) {
    ASSERT_TRUE(write_all(backend, key, "x"));
  }
  ASSERT_TRUE(backend.remove("main/2/a"));
  ASSERT_TRUE(backend.remove("main/2/a"));
  ASSERT_TRUE(backend.remove_prefix("main/1/"));
  auto left = backend.list("");
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].key, "main/10/a");
  EXPECT_FALSE(backend.remove_prefix(""));
}

TEST(MemoryBackendTest, RejectsKeysTheLocalBackendRejects) {
  MemoryBackend backend;
  for (std::string key : {"../x", "/abs", "a//b", "", "a/"}) {
    EXPECT_FALSE(backend.create(key)) << key;
  }
}

TEST(MemoryBackendTest, ReaderKeepsItsContentWhenTheKeyIsReplaced) {
  MemoryBackend backend;
  ASSERT_TRUE(write_all(backend, "k", "first"));
  auto reader = backend.open("k");
  ASSERT_TRUE(reader);
  ASSERT_TRUE(write_all(backend, "k", "second, longer"));
  std::string buffer(100, '\0');
  auto got = (*reader)->read(std::as_writable_bytes(std::span(buffer)));
  ASSERT_TRUE(got);
  EXPECT_EQ(buffer.substr(0, *got), "first");
  EXPECT_EQ((*reader)->read(std::as_writable_bytes(std::span(buffer))).value(), 0u);
}

TEST(MemoryBackendTest, ConcurrentWritersAllLand) {
  MemoryBackend backend;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&backend, t] {
        for (int i = 0; i < 100; ++i) {
          std::string key = "t" + std::to_string(t) + "/" + std::to_string(i);
          EXPECT_TRUE(write_all(backend, key, key));
          EXPECT_TRUE(backend.list("t"));
        }
      });
    }
  }
  EXPECT_EQ(backend.list("")->size(), 400u);
  EXPECT_EQ(read_all(backend, "t3/99").value(), "t3/99");
}

}  // namespace
}  // namespace dbkeep::storage
