#include "dbkeep/pipeline/store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "dbkeep/core/sha256.hpp"
#include "dbkeep/storage/fault_injecting_backend.hpp"
#include "dbkeep/storage/memory_backend.hpp"
#include "support/byte_streams.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::pipeline {
namespace {

using core::sha256_hex;

using storage::FaultInjectingBackend;
using storage::FaultPlan;
using storage::MemoryBackend;
using test::bytes_of;
using test::mixed_data;
using test::StringSink;
using test::StringSource;

class StoreTest : public testing::TestWithParam<CodecOptions> {
 protected:
  const CodecOptions& options() const { return GetParam(); }

  StoredFile store(const std::string& data, const std::string& path = "ibdata1") {
    StringSource source(data, 300000);  // reads shorter than the 1 MiB buffer
    auto stored = store_stream(source, backend_, path, "set/1/" + path, options());
    EXPECT_TRUE(stored) << stored.error().message;
    return stored.value_or(StoredFile{});
  }

  MemoryBackend backend_;
};

TEST_P(StoreTest, RecordsSizesAndTheDigestOfTheStoredBytes) {
  std::string data = mixed_data(3 * 1024 * 1024 + 5, 1);
  StoredFile stored = store(data);
  EXPECT_EQ(stored.path, "ibdata1");
  EXPECT_EQ(stored.stored_key, "set/1/ibdata1");
  EXPECT_EQ(stored.size, data.size());
  EXPECT_EQ(stored.codec, GetParam().codec);
  auto object = backend_.get("set/1/ibdata1");
  ASSERT_TRUE(object);
  // `sha256sum` of the stored object matches the manifest (format 3).
  EXPECT_EQ(stored.stored_sha256, sha256_hex(bytes_of(*object)));
  EXPECT_TRUE(stored.plaintext_sha256.empty());
  EXPECT_EQ(stored.stored_size, object->size());
  if (GetParam().codec != Codec::kNone) {
    EXPECT_LT(stored.stored_size, stored.size);
  }
}

TEST_P(StoreTest, FetchReturnsTheOriginalBytes) {
  for (std::size_t size : {0, 1, 1024 * 1024, 2 * 1024 * 1024 + 17}) {
    std::string data = mixed_data(size, size + 3);
    StoredFile stored = store(data);
    StringSink sink;
    auto fetched = fetch_stream(backend_, stored, sink);
    ASSERT_TRUE(fetched) << fetched.error().message;
    EXPECT_TRUE(sink.content == data) << "size " << size;
    EXPECT_TRUE(sink.finished);
    EXPECT_TRUE(verify_stored(backend_, stored));
  }
}

// Checks that `expected` fails verification with a message naming the file and `reason`.
void expect_verification_failure(storage::Backend& backend, const StoredFile& expected,
                                 const std::string& reason) {
  auto verified = verify_stored(backend, expected);
  ASSERT_FALSE(verified) << "verification passed but should find: " << reason;
  EXPECT_EQ(verified.error().kind, ErrorKind::kVerification) << verified.error().message;
  EXPECT_TRUE(verified.error().message.starts_with(expected.path + ": "))
      << verified.error().message;
  EXPECT_NE(verified.error().message.find(reason), std::string::npos) << verified.error().message;
}

TEST_P(StoreTest, DigestMismatchNamesTheFileAndBothDigests) {
  StoredFile stored = store(mixed_data(100000, 2));
  StoredFile expected = stored;
  expected.stored_sha256 = sha256_hex(bytes_of("something else"));
  expect_verification_failure(backend_, expected,
                              "SHA-256 mismatch (expected " + expected.stored_sha256 + ", got " +
                                  stored.stored_sha256 + ")");
}

// Manifests of format 2 recorded the plaintext's digest instead: still checked on fetch.
TEST_P(StoreTest, Format2PlaintextDigestIsChecked) {
  std::string data = mixed_data(200000, 7);
  StoredFile expected = store(data);
  expected.stored_sha256.clear();
  expected.plaintext_sha256 = sha256_hex(bytes_of(data));
  EXPECT_TRUE(verify_stored(backend_, expected));
  expected.plaintext_sha256 = sha256_hex(bytes_of("something else"));
  expect_verification_failure(backend_, expected,
                              "SHA-256 of the plaintext mismatch (expected " +
                                  expected.plaintext_sha256 + ", got " +
                                  sha256_hex(bytes_of(data)) + ")");
}

TEST_P(StoreTest, SizeMismatchIsReported) {
  StoredFile expected = store(mixed_data(100000, 3));
  expected.size += 1;
  expect_verification_failure(backend_, expected, "size mismatch (expected 100001 bytes");
  expected.size -= 2;
  expect_verification_failure(backend_, expected, "size mismatch (expected 99999 bytes");
}

TEST_P(StoreTest, CorruptedStoredBytesAreDetected) {
  StoredFile stored = store(mixed_data(500000, 4));
  std::string object = *backend_.get(stored.stored_key);
  object[object.size() / 2] = static_cast<char>(object[object.size() / 2] ^ 0x01);
  backend_.put(stored.stored_key, object);
  expect_verification_failure(backend_, stored, "");
}

// The digest covers the stored bytes; what guards decompression is the codec's own check (zstd's
// frame checksum, gzip's CRC-32). Damage a compressed object and re-record its digest and size,
// as if the manifest had been written after the damage: every position must still fail.
TEST_P(StoreTest, CodecChecksumCatchesDamageTheDigestWasRecordedOver) {
  if (GetParam().codec == Codec::kNone)
    GTEST_SKIP() << "without a codec the stored bytes are the data";
  StoredFile stored = store(mixed_data(300000, 6));
  const std::string original = *backend_.get(stored.stored_key);
  for (std::size_t at = 20; at < original.size(); at += original.size() / 7) {
    std::string object = original;
    object[at] = static_cast<char>(object[at] ^ 0x10);
    backend_.put(stored.stored_key, object);
    StoredFile expected = stored;
    expected.stored_sha256 = sha256_hex(bytes_of(object));
    auto verified = verify_stored(backend_, expected);
    ASSERT_FALSE(verified) << "damage at byte " << at << " of " << original.size() << " passed";
    EXPECT_EQ(verified.error().kind, ErrorKind::kVerification) << verified.error().message;
  }
}

TEST_P(StoreTest, TruncatedStoredObjectIsDetected) {
  StoredFile stored = store(mixed_data(500000, 5));
  backend_.put(stored.stored_key, backend_.get(stored.stored_key)->substr(0, 1000));
  expect_verification_failure(backend_, stored, "stored size mismatch");
  // Even when the manifest agrees with the short object, decoding or the digest catches it.
  stored.stored_size = 1000;
  expect_verification_failure(backend_, stored, "");
}

TEST_P(StoreTest, MissingObjectIsAVerificationError) {
  StoredFile stored = store("content");
  ASSERT_TRUE(backend_.remove(stored.stored_key));
  expect_verification_failure(backend_, stored, "stored object set/1/ibdata1 is missing");
}

TEST_P(StoreTest, FailedWriteLeavesNoObject) {
  FaultInjectingBackend faulty(backend_);
  faulty.set_plan(FaultPlan{.no_space_after_bytes = 1000});
  StringSource source(mixed_data(2 * 1024 * 1024, 6));
  auto stored = store_stream(source, faulty, "ibdata1", "set/1/ibdata1", options());
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().message.find("storing ibdata1: disk full"), std::string::npos)
      << stored.error().message;
  EXPECT_TRUE(backend_.list("")->empty());
}

TEST_P(StoreTest, StoreFileAndFetchToFileRoundTripOnDisk) {
  auto directory = test::make_temp_dir();
  std::string data = mixed_data(1500000, 7);
  std::ofstream(directory.path() / "in.db", std::ios::binary) << data;
  auto stored = store_file(directory.path() / "in.db", backend_, "in.db", "k/in.db", options());
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_EQ(stored->size, data.size());
  auto fetched = fetch_to_file(backend_, *stored, directory.path() / "out.db");
  ASSERT_TRUE(fetched) << fetched.error().message;
  std::ifstream in(directory.path() / "out.db", std::ios::binary);
  std::string restored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(restored == data);
}

// gzip with threads writes one member per block on worker threads (gzip_members.cpp).
INSTANTIATE_TEST_SUITE_P(
    AllCodecs, StoreTest,
    testing::Values(CodecOptions{Codec::kNone, 0, 0}, CodecOptions{Codec::kZstd, 0, 0},
                    CodecOptions{Codec::kGzip, 0, 0}, CodecOptions{Codec::kGzip, 6, 2}),
    [](const auto& info) {
      return std::string(codec_name(info.param.codec)) + (info.param.threads > 0 ? "_threads" : "");
    });

TEST(StoreFileTest, MissingInputFileIsAnErrorNamingIt) {
  MemoryBackend backend;
  auto stored = store_file("/nonexistent/ibdata1", backend, "ibdata1", "k", {});
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().message.find("/nonexistent/ibdata1"), std::string::npos);
  EXPECT_TRUE(backend.list("")->empty());
}

// Files of different sizes on disk, in an order that is not largest-first.
class ParallelStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    for (std::size_t i = 0; i < 6; ++i) {
      std::size_t size = (i * 5 % 6 + 1) * 100000 + i;  // file1 largest, file0 smallest
      contents_.push_back(mixed_data(size, i));
      std::string name = "file" + std::to_string(i);
      std::ofstream(directory_.path() / name, std::ios::binary) << contents_.back();
      jobs_.push_back(StoreJob{directory_.path() / name, name, "set/1/" + name});
    }
  }

  core::TempDir directory_ = test::make_temp_dir();
  std::vector<std::string> contents_;
  std::vector<StoreJob> jobs_;
  MemoryBackend backend_;
};

TEST_F(ParallelStoreTest, ResultsComeBackInInputOrderAndVerify) {
  std::atomic<std::uint64_t> progress{0};
  auto stored = store_files_parallel(jobs_, backend_, {Codec::kZstd, 1, 0}, 3,
                                     [&](std::uint64_t bytes) { progress += bytes; });
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_EQ(stored->size(), jobs_.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < jobs_.size(); ++i) {
    EXPECT_EQ((*stored)[i].path, jobs_[i].path);
    EXPECT_EQ((*stored)[i].size, contents_[i].size());
    EXPECT_EQ((*stored)[i].stored_sha256, sha256_hex(bytes_of(*backend_.get(jobs_[i].stored_key))));
    EXPECT_TRUE(verify_stored(backend_, (*stored)[i]));
    total += contents_[i].size();
  }
  EXPECT_EQ(progress.load(), total);
}

TEST_F(ParallelStoreTest, FirstErrorStopsTheRestAndLeavesNothing) {
  // One worker takes jobs largest-first: file1 (the largest) is first, and fails.
  FaultInjectingBackend faulty(backend_);
  faulty.set_plan(FaultPlan{.fail_writes_to_key = "set/1/file1"});
  auto stored = store_files_parallel(jobs_, faulty, {Codec::kZstd, 1, 0}, 1);
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().message.find("storing file1: "), std::string::npos)
      << stored.error().message;
  EXPECT_EQ(faulty.creates(), 1u) << "jobs after the failure must not start";
  EXPECT_TRUE(backend_.list("")->empty());
}

TEST_F(ParallelStoreTest, FailureAfterOthersCommittedRemovesThem) {
  // The smallest file is stored last: by then the others have been committed.
  FaultInjectingBackend faulty(backend_);
  faulty.set_plan(FaultPlan{.fail_writes_to_key = "set/1/file0"});
  auto stored = store_files_parallel(jobs_, faulty, {Codec::kGzip, 1, 2}, 2);
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().message.find("storing file0: "), std::string::npos);
  EXPECT_GT(faulty.commits(), 0u);
  EXPECT_TRUE(backend_.list("")->empty());
}

TEST_F(ParallelStoreTest, MissingInputFailsBeforeAnythingStarts) {
  jobs_[2].file = directory_.path() / "gone";
  auto stored = store_files_parallel(jobs_, backend_, {}, 2);
  ASSERT_FALSE(stored);
  EXPECT_NE(stored.error().message.find("storing file2: "), std::string::npos);
  EXPECT_TRUE(backend_.list("")->empty());
}

TEST_F(ParallelStoreTest, NoJobsIsNoWork) {
  auto stored = store_files_parallel({}, backend_, {}, 4);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->empty());
}

}  // namespace
}  // namespace dbkeep::pipeline
