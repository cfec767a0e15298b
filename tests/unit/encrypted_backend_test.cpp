// The encrypting backend under the real pipeline and repository: what is stored is ciphertext
// (data and manifests), everything reads back, and damage to any stored object is reported
// naming it.

#include "dbkeep/crypto/encrypted_backend.hpp"

#include <gtest/gtest.h>

#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/repo/backup_session.hpp"
#include "dbkeep/storage/memory_backend.hpp"
#include "support/byte_streams.hpp"
#include "support/text_files.hpp"

namespace dbkeep::storage {
namespace {

using test::contains;

using crypto::EncryptedBackend;
using pipeline::EncryptionKey;
using test::mixed_data;
using test::StringSink;
using test::StringSource;

constexpr std::string_view kMarker = "MARKER-ROW-0c9f";

// Owns a MemoryBackend shared with the EncryptedBackend, to look at (and damage) raw objects.
class SharedMemory final : public Backend {
 public:
  explicit SharedMemory(MemoryBackend& memory) : memory_(memory) {}
  Result<std::unique_ptr<Writer>> create(std::string_view key) override {
    return memory_.create(key);
  }
  Result<std::unique_ptr<Reader>> open(std::string_view key) override { return memory_.open(key); }
  Result<bool> exists(std::string_view key) override { return memory_.exists(key); }
  Result<std::vector<ObjectInfo>> list(std::string_view prefix) override {
    return memory_.list(prefix);
  }
  Result<std::vector<std::string>> list_children(std::string_view prefix) override {
    return memory_.list_children(prefix);
  }
  Result<void> remove(std::string_view key) override { return memory_.remove(key); }
  Result<void> remove_prefix(std::string_view prefix) override {
    return memory_.remove_prefix(prefix);
  }
  Result<std::optional<std::uint64_t>> free_bytes() override { return std::nullopt; }
  [[nodiscard]] std::string describe() const override { return "memory:"; }

 private:
  MemoryBackend& memory_;
};

class EncryptedBackendTest : public testing::TestWithParam<pipeline::Codec> {
 protected:
  std::unique_ptr<EncryptedBackend> encrypted(bool hide_names = false) {
    return std::make_unique<EncryptedBackend>(std::make_unique<SharedMemory>(raw_), key_,
                                              hide_names);
  }

  // One committed backup of set "main" holding `content` as "app.db".
  repo::Manifest backup(repo::Repository& repository, const std::string& content) {
    repo::Manifest draft;
    draft.set = "main";
    draft.source = core::SourceKind::kSqlite;
    draft.method = core::Method::kOnline;
    draft.id = "20261121_020000";
    repo::BackupSession session(repository, draft, {{GetParam(), 0, 0}, 1});
    StringSource source(content, 70000);
    auto stored = session.store_stream(source, "app.db", {{"table", "customers"}});
    EXPECT_TRUE(stored) << stored.error().message;
    auto manifest = session.commit();
    EXPECT_TRUE(manifest) << manifest.error().message;
    return manifest.value_or(repo::Manifest{});
  }

  static std::string content() {
    std::string data = mixed_data(300000, 5);
    for (int i = 0; i < 50; ++i) data += std::string(kMarker) + "\n";
    return data;
  }

  MemoryBackend raw_;
  EncryptionKey key_ = EncryptionKey::generate();
};

TEST_P(EncryptedBackendTest, BackupRoundTripsAndNothingIsStoredInPlaintext) {
  repo::Repository repository(encrypted());
  std::string data = content();
  auto manifest = backup(repository, data);
  ASSERT_EQ(manifest.files.size(), 1U);
  EXPECT_TRUE(manifest.files[0].stored.encrypted);

  auto objects = raw_.list("").value();  // a named copy: range-for would dangle
  for (const auto& object : objects) {
    auto stored = raw_.get(object.key).value();
    EXPECT_FALSE(contains(stored, kMarker)) << object.key;
    EXPECT_FALSE(contains(stored, "customers")) << object.key;
    EXPECT_FALSE(contains(stored, "\"sha256\"")) << object.key;  // manifests too
  }

  auto listed = repository.list();
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->backups.size(), 1U);
  EXPECT_TRUE(listed->backups[0].files[0].stored.encrypted);
  StringSink sink;
  auto fetched =
      pipeline::fetch_stream(repository.backend(), listed->backups[0].files[0].stored, sink);
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(sink.content, data);
}

TEST_P(EncryptedBackendTest, AFlippedBitInTheDataObjectFailsVerifyNamingTheObject) {
  repo::Repository repository(encrypted());
  auto manifest = backup(repository, content());
  const auto& stored = manifest.files[0].stored;
  std::string object = raw_.get(stored.stored_key).value();
  for (std::size_t position :
       {std::size_t{3}, std::size_t{45}, object.size() / 2, object.size() - 1}) {
    std::string damaged = object;
    damaged[position] = static_cast<char>(damaged[position] ^ 0x04);
    raw_.put(stored.stored_key, damaged);
    auto verified = pipeline::verify_stored(repository.backend(), stored);
    ASSERT_FALSE(verified) << position;
    EXPECT_EQ(verified.error().kind, ErrorKind::kVerification);
    EXPECT_TRUE(contains(verified.error().message, stored.stored_key)) << verified.error().message;
  }
}

TEST_P(EncryptedBackendTest, ADamagedManifestIsReportedNotListed) {
  repo::Repository repository(encrypted());
  backup(repository, content());
  auto key = repo::Repository::manifest_key("main", "20261121_020000");
  std::string manifest = raw_.get(key).value();
  manifest[manifest.size() - 5] ^= 1;
  raw_.put(key, manifest);
  auto listed = repository.list();
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->backups.empty());
  ASSERT_EQ(listed->problems.size(), 1U);
  EXPECT_TRUE(contains(listed->problems[0], key)) << listed->problems[0];
}

TEST_P(EncryptedBackendTest, SwappingObjectsBetweenBackupsIsDetected) {
  repo::Repository repository(encrypted());
  auto first = backup(repository, content());
  auto first_object = raw_.get(first.files[0].stored.stored_key).value();
  raw_.remove_prefix("main/");
  auto second = backup(repository, content() + "changed");
  raw_.put(second.files[0].stored.stored_key, first_object);  // old data under the new name
  EXPECT_FALSE(pipeline::verify_stored(repository.backend(), second.files[0].stored));
}

TEST_P(EncryptedBackendTest, ReadingWithAnotherKeyFailsNamingTheObject) {
  repo::Repository repository(encrypted());
  auto manifest = backup(repository, content());
  EncryptedBackend other(std::make_unique<SharedMemory>(raw_), EncryptionKey::generate());
  auto verified = pipeline::verify_stored(other, manifest.files[0].stored);
  ASSERT_FALSE(verified);
  EXPECT_TRUE(contains(verified.error().message, "not with the repository key"))
      << verified.error().message;
}

TEST_P(EncryptedBackendTest, EncryptedMetadataHidesFileNamesInObjectNames) {
  repo::Repository repository(encrypted(/*hide_names=*/true));
  auto manifest = backup(repository, content());
  auto objects = raw_.list("").value();  // a named copy: range-for would dangle
  for (const auto& object : objects) {
    EXPECT_FALSE(contains(object.key, "app.db")) << object.key;
  }
  StringSink sink;
  auto listed = repository.list().value();
  ASSERT_TRUE(
      pipeline::fetch_stream(repository.backend(), listed.backups[0].files[0].stored, sink));
  EXPECT_EQ(listed.backups[0].files[0].stored.path, "app.db");
}

INSTANTIATE_TEST_SUITE_P(Codecs, EncryptedBackendTest,
                         testing::Values(pipeline::Codec::kNone, pipeline::Codec::kZstd,
                                         pipeline::Codec::kGzip),
                         [](const auto& info) {
                           return std::string(pipeline::codec_name(info.param));
                         });

}  // namespace
}  // namespace dbkeep::storage
