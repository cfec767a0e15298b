// The storage::Backend contract (storage/backend.hpp), checked the same way against every
// backend: the local directory, memory, S3, and the decorators over them (encrypting over
// memory, local and S3; fault-injecting, with no faults planned, over local). S3 runs against
// the loopback server (tests/s3/server.js; those cases skip, saying why, without node
// or s3rver). What only one backend does (file modes, temp names, multipart uploads, retries)
// stays in that backend's own test file.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dbkeep/crypto/encrypted_backend.hpp"
#include "dbkeep/pipeline/encryption.hpp"
#include "dbkeep/storage/fault_injecting_backend.hpp"
#include "dbkeep/storage/local_backend.hpp"
#include "dbkeep/storage/memory_backend.hpp"
#include "dbkeep/storage/s3/s3_backend.hpp"
#include "support/byte_streams.hpp"
#include "support/s3_server.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test::storage_contract {
namespace {

using storage::Backend;
using storage::ObjectInfo;

enum class Kind {
  kLocal,
  kMemory,
  kS3,
  kEncryptedMemory,
  kEncryptedLocal,
  kEncryptedS3,
  kFaultInjectingLocal
};

std::string kind_name(Kind kind) {
  switch (kind) {
    case Kind::kLocal:
      return "Local";
    case Kind::kMemory:
      return "Memory";
    case Kind::kS3:
      return "S3";
    case Kind::kEncryptedMemory:
      return "EncryptedOverMemory";
    case Kind::kEncryptedLocal:
      return "EncryptedOverLocal";
    case Kind::kEncryptedS3:
      return "EncryptedOverS3";
    case Kind::kFaultInjectingLocal:
      return "FaultInjectingOverLocal";
  }
  return "?";
}

bool uses_s3(Kind kind) {
  return kind == Kind::kS3 || kind == Kind::kEncryptedS3;
}
bool encrypts(Kind kind) {
  return kind == Kind::kEncryptedMemory || kind == Kind::kEncryptedLocal ||
         kind == Kind::kEncryptedS3;
}

// Reads `key` back with reads of at most `piece` bytes; every read before the end returns
// something, and a read after the end returns 0 again.
std::string read_in_pieces(Backend& backend, const std::string& key, std::size_t piece) {
  auto reader = backend.open(key);
  EXPECT_TRUE(reader) << reader.error().message;
  if (!reader) return {};
  std::string content;
  std::vector<std::byte> buffer(piece);
  for (;;) {
    auto count = (*reader)->read(buffer);
    EXPECT_TRUE(count) << count.error().message;
    if (!count || *count == 0) break;
    EXPECT_LE(*count, piece);
    content.append(reinterpret_cast<const char*>(buffer.data()), *count);
  }
  auto after_end = (*reader)->read(buffer);
  EXPECT_TRUE(after_end && *after_end == 0) << "a read after the end must return 0 again";
  return content;
}

std::vector<std::string> keys_of(const std::vector<ObjectInfo>& objects) {
  std::vector<std::string> keys;
  for (const auto& object : objects) keys.push_back(object.key);
  return keys;
}

class StorageContractTest : public testing::TestWithParam<Kind> {
 public:
  static void SetUpTestSuite() { SuiteS3Server::start(); }
  static void TearDownTestSuite() { SuiteS3Server::stop(); }

 protected:
  void SetUp() override {
    if (uses_s3(GetParam())) {
      DBKEEP_SKIP_WITHOUT_S3();
      ASSERT_TRUE(SuiteS3Server::running())
          << "the S3 test server did not start: " << SuiteS3Server::start_error();
    }
    backend_ = make_backend(GetParam());
  }

  Backend& backend() { return *backend_; }

  // A committed object, written in odd-sized pieces as the pipeline writes.
  void put(const std::string& key, const std::string& content) {
    auto writer = backend().create(key);
    ASSERT_TRUE(writer) << writer.error().message;
    for (std::size_t at = 0; at < content.size(); at += 33'333) {
      ASSERT_TRUE((*writer)->write(bytes_of(std::string_view(content).substr(at, 33'333))));
    }
    auto committed = (*writer)->commit();
    ASSERT_TRUE(committed) << committed.error().message;
  }

  std::vector<std::string> listed(const std::string& prefix) {
    auto objects = backend().list(prefix);
    EXPECT_TRUE(objects) << objects.error().message;
    return objects ? keys_of(*objects) : std::vector<std::string>{"(list failed)"};
  }

  std::vector<std::string> children(const std::string& prefix) {
    auto names = backend().list_children(prefix);
    EXPECT_TRUE(names) << names.error().message;
    return names ? *names : std::vector<std::string>{"(list_children failed)"};
  }

  // list() reports stored sizes: the content's for a plaintext backend, more (nonce, tags)
  // through the encrypting one.
  void expect_listed_size(const ObjectInfo& object, std::size_t content_size) {
    if (encrypts(GetParam())) {
      EXPECT_GT(object.size, content_size) << object.key;
    } else {
      EXPECT_EQ(object.size, content_size) << object.key;
    }
  }

 private:
  std::unique_ptr<Backend> make_backend(Kind kind) {
    switch (kind) {
      case Kind::kLocal:
        return std::make_unique<storage::LocalBackend>(dir_.path() / "repo");
      case Kind::kMemory:
        return std::make_unique<storage::MemoryBackend>();
      case Kind::kS3:
        return std::make_unique<storage::s3::S3Backend>(s3_options());
      case Kind::kEncryptedMemory:
        return encrypted(make_backend(Kind::kMemory));
      case Kind::kEncryptedLocal:
        return encrypted(make_backend(Kind::kLocal));
      case Kind::kEncryptedS3:
        return encrypted(make_backend(Kind::kS3));
      case Kind::kFaultInjectingLocal:
        wrapped_ = make_backend(Kind::kLocal);
        return std::make_unique<storage::FaultInjectingBackend>(*wrapped_);
    }
    return nullptr;
  }

  static std::unique_ptr<Backend> encrypted(std::unique_ptr<Backend> inner) {
    return std::make_unique<crypto::EncryptedBackend>(std::move(inner),
                                                      pipeline::EncryptionKey::generate());
  }

  // Each test (and backend) works under its own prefix of the shared bucket, with small parts
  // so that the larger objects below go through multipart uploads.
  static storage::s3::S3BackendOptions s3_options() {
    auto options = SuiteS3Server::server().backend_options(
        std::string(testing::UnitTest::GetInstance()->current_test_info()->name()) + "/");
    options.write.part_size = 64 * 1024;
    options.write.concurrency = 3;
    return options;
  }

  core::TempDir dir_ = make_temp_dir();
  std::unique_ptr<Backend> wrapped_;  // what a fault-injecting backend forwards to
  std::unique_ptr<Backend> backend_;
};

TEST_P(StorageContractTest, AWriterDestroyedWithoutCommitLeavesNothing) {
  {
    auto writer = backend().create("main/1/ibdata1.zst");
    ASSERT_TRUE(writer) << writer.error().message;
    ASSERT_TRUE((*writer)->write(bytes_of(mixed_data(300'000, 1))));
  }
  EXPECT_EQ(backend().exists("main/1/ibdata1.zst"), false);
  EXPECT_TRUE(listed("").empty());
  EXPECT_FALSE(backend().open("main/1/ibdata1.zst"));
}

TEST_P(StorageContractTest, AnObjectBecomesVisibleWholeOnlyOnCommit) {
  const std::string content = mixed_data(200'001, 2);
  auto writer = backend().create("main/1/data");
  ASSERT_TRUE(writer) << writer.error().message;
  ASSERT_TRUE((*writer)->write(bytes_of(content)));
  EXPECT_EQ(backend().exists("main/1/data"), false);
  EXPECT_TRUE(listed("").empty());
  auto committed = (*writer)->commit();
  ASSERT_TRUE(committed) << committed.error().message;
  EXPECT_EQ(backend().exists("main/1/data"), true);
  auto objects = backend().list("");
  ASSERT_TRUE(objects) << objects.error().message;
  ASSERT_EQ(objects->size(), 1U);
  EXPECT_EQ((*objects)[0].key, "main/1/data");
  expect_listed_size((*objects)[0], content.size());
  EXPECT_EQ(read_in_pieces(backend(), "main/1/data", 70'001), content);
}

TEST_P(StorageContractTest, ACommittedWriterTakesNoMoreWritesOrCommits) {
  auto writer = backend().create("k");
  ASSERT_TRUE(writer) << writer.error().message;
  ASSERT_TRUE((*writer)->write(bytes_of("kept")));
  ASSERT_TRUE((*writer)->commit());
  EXPECT_FALSE((*writer)->write(bytes_of("late")));
  EXPECT_FALSE((*writer)->commit());
  EXPECT_EQ(read_in_pieces(backend(), "k", 100), "kept");
}

TEST_P(StorageContractTest, CommitReplacesAnExistingObjectWhole) {
  put("main/1/manifest.json", "old");
  auto writer = backend().create("main/1/manifest.json");
  ASSERT_TRUE(writer) << writer.error().message;
  const std::string replacement = mixed_data(100'000, 3);
  ASSERT_TRUE((*writer)->write(bytes_of(replacement)));
  EXPECT_EQ(read_in_pieces(backend(), "main/1/manifest.json", 4096), "old");
  ASSERT_TRUE((*writer)->commit());
  EXPECT_EQ(read_in_pieces(backend(), "main/1/manifest.json", 4096), replacement);
  auto objects = backend().list("main/");
  ASSERT_TRUE(objects) << objects.error().message;
  ASSERT_EQ(objects->size(), 1U);
  expect_listed_size((*objects)[0], replacement.size());
}

TEST_P(StorageContractTest, ReadsReturnTheWholeObjectWhateverTheReadSize) {
  const std::string content = mixed_data(300'007, 4);
  put("main/1/data", content);
  for (std::size_t piece :
       {std::size_t{1} << 20, std::size_t{70'001}, std::size_t{4096}, std::size_t{7}}) {
    EXPECT_EQ(read_in_pieces(backend(), "main/1/data", piece), content) << "reads of " << piece;
  }
}

TEST_P(StorageContractTest, AnEmptyObjectIsAnObject) {
  put("empty", "");
  EXPECT_EQ(backend().exists("empty"), true);
  EXPECT_EQ(read_in_pieces(backend(), "empty", 100), "");
  auto objects = backend().list("");
  ASSERT_TRUE(objects) << objects.error().message;
  ASSERT_EQ(objects->size(), 1U);
  expect_listed_size((*objects)[0], 0);
}

TEST_P(StorageContractTest, AMissingObjectIsAnErrorNamingIt) {
  auto opened = backend().open("main/nope/manifest.json");
  ASSERT_FALSE(opened);
  EXPECT_TRUE(contains(opened.error().message, "main/nope/manifest.json not found"))
      << opened.error().message;
  EXPECT_EQ(backend().exists("main/nope/manifest.json"), false);
}

TEST_P(StorageContractTest, ListIsEveryObjectUnderAPlainStringPrefixSortedByKey) {
  // "main-db/…" sorts before "main/…" as a string ('-' < '/'), though "main" < "main-db".
  for (const char* key : {"main/2/b", "main/1/a", "main/10/x", "main/1/sub/c", "main-db/1/a",
                          "mainly/z", "top-level-object"}) {
    put(key, key);
  }
  EXPECT_EQ(listed("main/"),
            (std::vector<std::string>{"main/1/a", "main/1/sub/c", "main/10/x", "main/2/b"}));
  EXPECT_EQ(listed("main"), (std::vector<std::string>{"main-db/1/a", "main/1/a", "main/1/sub/c",
                                                      "main/10/x", "main/2/b", "mainly/z"}));
  EXPECT_EQ(listed("main/1"),  // a prefix need not end at a '/'
            (std::vector<std::string>{"main/1/a", "main/1/sub/c", "main/10/x"}));
  EXPECT_EQ(listed("").size(), 7U);
  EXPECT_TRUE(listed("absent/").empty());
  auto objects = backend().list("main/2/");
  ASSERT_TRUE(objects) << objects.error().message;
  ASSERT_EQ(objects->size(), 1U);
  expect_listed_size((*objects)[0], std::string("main/2/b").size());
}

TEST_P(StorageContractTest, ListChildrenNamesEachNextComponentOnceSortedByName) {
  for (const char* key : {"main/20260102_000000/data/b", "main/20260101_000000/manifest.json",
                          "main/20260101_000000/data/a", "main-db/20260101_000000/manifest.json",
                          "other/20260101_000000/manifest.json", "top-level-object"}) {
    put(key, key);
  }
  // Objects directly under the prefix are not children; only "directories" are.
  EXPECT_EQ(children(""), (std::vector<std::string>{"main", "main-db", "other"}));
  EXPECT_EQ(children("main/"), (std::vector<std::string>{"20260101_000000", "20260102_000000"}));
  EXPECT_EQ(children("main/20260101_000000/"), std::vector<std::string>{"data"});
  EXPECT_TRUE(children("absent/").empty());
}

TEST_P(StorageContractTest, RemoveIsIdempotent) {
  put("main/1/a", "a");
  put("main/1/b", "b");
  ASSERT_TRUE(backend().remove("main/1/a"));
  EXPECT_EQ(backend().exists("main/1/a"), false);
  EXPECT_TRUE(backend().remove("main/1/a")) << "removing a removed object succeeds";
  EXPECT_TRUE(backend().remove("never/written")) << "removing a missing object succeeds";
  EXPECT_EQ(listed(""), std::vector<std::string>{"main/1/b"});
}

TEST_P(StorageContractTest, RemovePrefixRemovesExactlyTheObjectsUnderIt) {
  for (const char* key : {"main/1/a", "main/1/sub/b", "main/10/a", "main/2/a", "other/1/a"}) {
    put(key, "x");
  }
  ASSERT_TRUE(backend().remove_prefix("main/1/"));
  EXPECT_EQ(listed(""), (std::vector<std::string>{"main/10/a", "main/2/a", "other/1/a"}));
  EXPECT_TRUE(backend().remove_prefix("absent/")) << "nothing to remove is not an error";
  ASSERT_TRUE(backend().remove_prefix("main/"));
  EXPECT_EQ(listed(""), std::vector<std::string>{"other/1/a"});
  auto everything = backend().remove_prefix("");
  ASSERT_FALSE(everything) << "an empty prefix (everything) must be refused";
  EXPECT_EQ(listed(""), std::vector<std::string>{"other/1/a"});
}

TEST_P(StorageContractTest, KeysThatAreNotRelativePathsAreRefused) {
  for (const std::string key : {"../x", "a/../../x", "/abs", "a//b", "", "a/", ".", "a/./b"}) {
    SCOPED_TRACE("key '" + key + "'");
    EXPECT_FALSE(backend().create(key));
    EXPECT_FALSE(backend().open(key));
    EXPECT_FALSE(backend().exists(key));
    EXPECT_FALSE(backend().remove(key));
  }
  EXPECT_FALSE(backend().list("../"));
  EXPECT_FALSE(backend().list_children("../"));
  EXPECT_FALSE(backend().remove_prefix("../"));
}

TEST_P(StorageContractTest, KeysWithSpacesAndPunctuationRoundTrip) {
  const std::string key = "set with space/id+plus/file=(1)&~'x'.sql";
  put(key, "content");
  EXPECT_EQ(read_in_pieces(backend(), key, 100), "content");
  EXPECT_EQ(listed("set with space/"), std::vector<std::string>{key});
  EXPECT_EQ(children("set with space/"), std::vector<std::string>{"id+plus"});
}

TEST_P(StorageContractTest, ConcurrentWritersAllLand) {
  // The parallel store writes several objects at once through one backend.
  constexpr int kThreads = 4, kObjectsPerThread = 10;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([this, t] {
        for (int i = 0; i < kObjectsPerThread; ++i) {
          const std::string key = "t" + std::to_string(t) + "/" + std::to_string(i);
          EXPECT_TRUE(storage::write_all(backend(), key, key)) << key;
        }
      });
    }
  }
  EXPECT_EQ(listed("").size(), std::size_t{kThreads * kObjectsPerThread});
  EXPECT_EQ(read_in_pieces(backend(), "t3/9", 100), "t3/9");
}

TEST_P(StorageContractTest, FreeBytesAndDescribeAnswer) {
  auto free = backend().free_bytes();
  ASSERT_TRUE(free) << free.error().message;
  const bool local = GetParam() == Kind::kLocal || GetParam() == Kind::kEncryptedLocal ||
                     GetParam() == Kind::kFaultInjectingLocal;
  EXPECT_EQ(free->has_value(), local) << "only a local directory can tell its free space";
  if (free->has_value()) {
    EXPECT_GT(**free, 0U);
  }
  EXPECT_FALSE(backend().describe().empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageContractTest,
                         testing::Values(Kind::kLocal, Kind::kMemory, Kind::kS3,
                                         Kind::kEncryptedMemory, Kind::kEncryptedLocal,
                                         Kind::kEncryptedS3, Kind::kFaultInjectingLocal),
                         [](const auto& info) { return kind_name(info.param); });

}  // namespace
}  // namespace dbkeep::test::storage_contract
