// What every backend does is checked in tests/integration/storage_contract_test.cpp; this is
// what only the memory backend promises.

#include "dbkeep/storage/memory_backend.hpp"

#include <gtest/gtest.h>

#include <span>
#include <string>

namespace dbkeep::storage {
namespace {

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

}  // namespace
}  // namespace dbkeep::storage
