// Key slots and repository key management on an in-memory backend (Argon2id at its minimum
// cost so the tests stay fast; the parameters are read back from each slot).

#include <gtest/gtest.h>

#include "dbkeep/crypto/encrypted_backend.hpp"
#include "dbkeep/crypto/repository_access.hpp"
#include "dbkeep/crypto/repository_keys.hpp"
#include "dbkeep/storage/memory_backend.hpp"
#include "support/text_files.hpp"

namespace dbkeep::crypto {
namespace {

using test::contains;

Credential passphrase(std::string text) {
  return {SlotKind::kPassphrase, Secret(std::move(text))};
}
Credential key_file(std::string content) {
  return {SlotKind::kKeyFile, Secret(std::move(content))};
}

class KeySlotsTest : public testing::Test {
 protected:
  void SetUp() override {
    auto created = initialize_repository(backend_, {"repokey", "", false},
                                         passphrase("correct horse"), KdfLimits::minimum());
    ASSERT_TRUE(created) << created.error().message;
    key_id_ = created->key.id_hex();
    marker_ = *read_marker(backend_).value();
  }

  Result<UnlockedKey> open(const Credential& credential) {
    return unlock(backend_, marker_, credential);
  }

  storage::MemoryBackend backend_;
  std::string key_id_;
  RepositoryMarker marker_;
};

TEST_F(KeySlotsTest, InitWritesMarkerAndOneSlotWithRecordedParameters) {
  EXPECT_EQ(marker_.encryption, "repokey");
  EXPECT_EQ(marker_.key_id, key_id_);
  auto slots = read_slots(backend_).value();
  ASSERT_EQ(slots.size(), 1U);
  EXPECT_EQ(slots[0].kdf["algorithm"], "argon2id13");
  EXPECT_EQ(slots[0].kdf["opslimit"], KdfLimits::minimum().opslimit);
  EXPECT_EQ(slots[0].kdf["memlimit"], KdfLimits::minimum().memlimit);
  auto stored = backend_.get(slot_key(0)).value();
  EXPECT_FALSE(contains(stored, "correct horse"));
}

TEST_F(KeySlotsTest, ThePassphraseOpensTheKeyAndAWrongOneIsAClearError) {
  auto opened = open(passphrase("correct horse"));
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(opened->key.id_hex(), key_id_);
  auto wrong = open(passphrase("wrong horse"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, ErrorKind::kFailed);
  EXPECT_TRUE(contains(wrong.error().message, "wrong passphrase")) << wrong.error().message;
  EXPECT_FALSE(contains(wrong.error().message, "wrong horse"));
}

TEST_F(KeySlotsTest, TwoSlotsEachOpenTheSameKeyAndRemovingOneLeavesTheOther) {
  auto master = open(passphrase("correct horse")).value().key;
  auto added = add_slot(backend_, master, passphrase("second secret"), KdfLimits::minimum());
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(*added, 1);
  EXPECT_EQ(open(passphrase("second secret")).value().key.id_hex(), key_id_);
  EXPECT_EQ(open(passphrase("correct horse")).value().slot, 0);

  ASSERT_TRUE(remove_slot(backend_, 0));
  EXPECT_FALSE(open(passphrase("correct horse")));
  EXPECT_EQ(open(passphrase("second secret")).value().key.id_hex(), key_id_);
}

TEST_F(KeySlotsTest, TheLastSlotCannotBeRemoved) {
  auto refused = remove_slot(backend_, 0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kUsage);
  EXPECT_TRUE(contains(refused.error().message, "last key slot")) << refused.error().message;
  EXPECT_TRUE(open(passphrase("correct horse")));
  EXPECT_FALSE(remove_slot(backend_, 7));  // no such slot
}

TEST_F(KeySlotsTest, ChangeReplacesThePassphrase) {
  auto unlocked = open(passphrase("correct horse")).value();
  auto changed = replace_slot(backend_, unlocked.slot, unlocked.key, passphrase("new battery"),
                              KdfLimits::minimum());
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_FALSE(open(passphrase("correct horse")));
  EXPECT_EQ(open(passphrase("new battery")).value().key.id_hex(), key_id_);
  EXPECT_EQ(read_slots(backend_).value().size(), 1U);
}

TEST_F(KeySlotsTest, KeyFileSlotsOpenOnlyWithTheSameFileContent) {
  auto master = open(passphrase("correct horse")).value().key;
  ASSERT_TRUE(add_slot(backend_, master, key_file("0123abcd\n"), KdfLimits::minimum()));
  EXPECT_EQ(open(key_file("0123abcd\n")).value().key.id_hex(), key_id_);
  auto wrong = open(key_file("0123abce\n"));
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(contains(wrong.error().message, "wrong key file")) << wrong.error().message;
}

TEST_F(KeySlotsTest, TamperedSlotDoesNotOpen) {
  auto text = backend_.get(slot_key(0)).value();
  auto at = text.find("\"key\": \"") + 8;
  text[at] = text[at] == '0' ? '1' : '0';
  backend_.put(slot_key(0), text);
  EXPECT_FALSE(open(passphrase("correct horse")));
}

TEST_F(KeySlotsTest, InitIsRefusedTwiceAndOnARepositoryWithBackups) {
  auto again = initialize_repository(backend_, {"repokey", "", false}, passphrase("x"),
                                     KdfLimits::minimum());
  ASSERT_FALSE(again);
  EXPECT_TRUE(contains(again.error().message, "already encrypted")) << again.error().message;

  storage::MemoryBackend used;
  used.put("main/20261121_020000/manifest.json", "{}");
  auto refused =
      initialize_repository(used, {"repokey", "", false}, passphrase("x"), KdfLimits::minimum());
  ASSERT_FALSE(refused);
  EXPECT_TRUE(contains(refused.error().message, "unencrypted")) << refused.error().message;
  EXPECT_FALSE(used.get("config.json"));
}

// open_repository_backend decides between plaintext and encrypted access.
class RepositoryAccessTest : public testing::Test {
 protected:
  static core::RepositoryConfig config(const std::string& encryption) {
    core::RepositoryConfig config;
    config.path = "/nonexistent";
    config.encryption = core::parse_encryption_mode(encryption).value();
    return config;
  }
  // A backend sharing this test's objects (the accessor takes ownership of what it opens).
  std::unique_ptr<storage::Backend> raw() {
    auto shared = std::make_unique<storage::MemoryBackend>();
    auto objects = objects_.list("").value();  // a named copy: range-for would dangle
    for (const auto& object : objects) {
      shared->put(object.key, *objects_.get(object.key));
    }
    return shared;
  }
  storage::MemoryBackend objects_;
};

TEST_F(RepositoryAccessTest, PlainRepositoryStaysPlainWithoutEncryptionConfigured) {
  auto backend = open_repository_backend(config("none"), raw(), KeyCreation::kIfNew);
  ASSERT_TRUE(backend) << backend.error().message;
  EXPECT_EQ(dynamic_cast<crypto::EncryptedBackend*>(backend->get()), nullptr);
}

TEST_F(RepositoryAccessTest, EncryptedRepositoryRefusesPlaintextAccess) {
  ASSERT_TRUE(initialize_repository(objects_, {"repokey", "", false}, passphrase("pw-pw-pw"),
                                    KdfLimits::minimum()));
  auto refused = open_repository_backend(config("none"), raw(), KeyCreation::kIfNew);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kUsage);
  EXPECT_TRUE(contains(refused.error().message, "is encrypted")) << refused.error().message;
}

TEST_F(RepositoryAccessTest, EncryptionConfiguredWithoutKeyNeedsInitUnlessAllowed) {
  auto refused = open_repository_backend(config("repokey"), raw(), KeyCreation::kNever);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(contains(refused.error().message, "key init")) << refused.error().message;
}

}  // namespace
}  // namespace dbkeep::crypto
