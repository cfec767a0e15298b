#include "dbkeep/storage/fault_injecting_backend.hpp"

#include <gtest/gtest.h>

#include <array>

#include "dbkeep/storage/memory_backend.hpp"
#include "support/byte_streams.hpp"

namespace dbkeep::storage {
namespace {

using test::bytes_of;

class FaultInjectingBackendTest : public testing::Test {
 protected:
  MemoryBackend target_;
  FaultInjectingBackend backend_{target_};
};

TEST_F(FaultInjectingBackendTest, WithoutAPlanEverythingIsForwarded) {
  ASSERT_TRUE(write_all(backend_, "a/b", "content"));
  EXPECT_EQ(target_.get("a/b"), "content");
  EXPECT_EQ(read_all(backend_, "a/b").value(), "content");
  EXPECT_TRUE(backend_.exists("a/b").value());
  EXPECT_EQ(backend_.list("a/")->size(), 1u);
  ASSERT_TRUE(backend_.remove("a/b"));
  EXPECT_FALSE(target_.get("a/b"));
  EXPECT_EQ(backend_.describe(), target_.describe());
  EXPECT_EQ(backend_.creates(), 1u);
  EXPECT_EQ(backend_.writes(), 1u);
  EXPECT_EQ(backend_.bytes_written(), 7u);
  EXPECT_EQ(backend_.commits(), 1u);
}

TEST_F(FaultInjectingBackendTest, FailsTheNthWriteOnly) {
  backend_.set_plan(FaultPlan{.fail_write_number = 2});
  auto writer = backend_.create("k");
  ASSERT_TRUE(writer);
  EXPECT_TRUE((*writer)->write(bytes_of("one")));
  EXPECT_FALSE((*writer)->write(bytes_of("two")));
  EXPECT_TRUE((*writer)->write(bytes_of("three")));
}

TEST_F(FaultInjectingBackendTest, FailedCommitPublishesNothing) {
  backend_.set_plan(FaultPlan{.fail_commit_number = 2});
  ASSERT_TRUE(write_all(backend_, "first", "1"));
  auto second = write_all(backend_, "second", "2");
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("second"), std::string::npos);
  EXPECT_FALSE(target_.get("second"));
  EXPECT_EQ(backend_.commits(), 1u);
}

TEST_F(FaultInjectingBackendTest, FailsWritesToOneKey) {
  backend_.set_plan(FaultPlan{.fail_writes_to_key = "bad"});
  EXPECT_TRUE(write_all(backend_, "good", "x"));
  EXPECT_FALSE(write_all(backend_, "bad", "x"));
}

TEST_F(FaultInjectingBackendTest, RunsOutOfSpaceAfterAByteBudget) {
  backend_.set_plan(FaultPlan{.no_space_after_bytes = 10});
  auto writer = backend_.create("k");
  EXPECT_TRUE((*writer)->write(bytes_of("123456")));
  EXPECT_TRUE((*writer)->write(bytes_of("7890")));
  auto full = (*writer)->write(bytes_of("1"));
  ASSERT_FALSE(full);
  EXPECT_NE(full.error().message.find("No space left on device"), std::string::npos);
  EXPECT_NE(full.error().message.find("disk full writing k"), std::string::npos);
}

TEST_F(FaultInjectingBackendTest, FlipsOneByteWhenReadingTheNamedKey) {
  ASSERT_TRUE(write_all(target_, "k", "abcdef"));
  ASSERT_TRUE(write_all(target_, "other", "abcdef"));
  backend_.set_plan(FaultPlan{.flip_byte_on_read = FaultPlan::ReadCorruption{"k", 2}});
  EXPECT_EQ(read_all(backend_, "k").value(), "abbdef");  // 'c' ^ 1 == 'b'
  EXPECT_EQ(read_all(backend_, "other").value(), "abcdef");
  EXPECT_EQ(target_.get("k"), "abcdef");  // the stored object itself is untouched
}

TEST_F(FaultInjectingBackendTest, FlipsTheRightByteAcrossSmallReads) {
  ASSERT_TRUE(write_all(target_, "k", "abcdef"));
  backend_.set_plan(FaultPlan{.flip_byte_on_read = FaultPlan::ReadCorruption{"k", 4}});
  auto reader = backend_.open("k");
  std::string seen;
  std::array<std::byte, 3> buffer;
  for (;;) {
    auto got = (*reader)->read(buffer);
    ASSERT_TRUE(got);
    if (*got == 0) break;
    seen.append(reinterpret_cast<const char*>(buffer.data()), *got);
  }
  EXPECT_EQ(seen, "abcddf");
}

TEST_F(FaultInjectingBackendTest, TruncatesReadsOfTheNamedKey) {
  ASSERT_TRUE(write_all(target_, "k", "abcdef"));
  backend_.set_plan(FaultPlan{.truncate_on_read = FaultPlan::ReadTruncation{"k", 4}});
  EXPECT_EQ(read_all(backend_, "k").value(), "abcd");
}

}  // namespace
}  // namespace dbkeep::storage
