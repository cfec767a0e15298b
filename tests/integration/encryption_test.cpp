// Encryption at rest end to end through the real binary: a SQLite set backed up into a
// repository with encryption = "repokey" and a passphrase_file, then listed, verified and
// restored; the stored bytes never contain a marker row; wrong passphrases and plaintext
// writes are refused without writing anything; key slots are managed with `dbkeep key`.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

#include "dbkeep/source/sqlite/sqlite_database.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

constexpr std::string_view kMarkerRow = "MARKER-ROW-5f3a9e";

void write_secret_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path) << content << "\n";
  ::chmod(path.c_str(), 0600);
}

// Every file below the repository (not its .state), with content: what an attacker gets.
std::map<std::string, std::string> stored_files(const std::filesystem::path& repository) {
  std::map<std::string, std::string> out;
  if (!std::filesystem::exists(repository)) return out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(repository)) {
    auto relative = std::filesystem::relative(entry.path(), repository).string();
    if (!entry.is_regular_file() || relative.starts_with(".")) continue;
    out[relative] = read_file(entry.path());
  }
  return out;
}

class EncryptionEndToEndTest : public testing::Test {
 protected:
  EncryptionEndToEndTest() : workspace_("compression = \"none\"\n") {
    write_secret_file(pass_file(), "first passphrase 1");
    std::string config = read_file(workspace_.config());
    config.replace(config.find("[repository]\n"), 13,
                   "[repository]\nencryption = \"repokey\"\npassphrase_file = \"" +
                       pass_file().string() + "\"\n");
    std::ofstream(workspace_.config()) << config;
    workspace_.fill(200, 50, /*wal=*/false);
    for (int i = 0; i < 20; ++i) {
      workspace_.sql("INSERT INTO t (payload) VALUES ('" + std::string(kMarkerRow) + "')");
    }
  }

  std::filesystem::path pass_file() const { return workspace_.dir() / "pass"; }

  std::string backup() {
    auto run = workspace_.dbkeep_json({"backup"});
    if (run["backups"].empty()) return "";
    return run["backups"][0]["id"];
  }

  std::filesystem::path data_object(const std::string& id) const {
    return workspace_.repository() / "app" / id / "data" / "app.db";
  }

  SqliteWorkspace workspace_;
};

TEST_F(EncryptionEndToEndTest, BackupListVerifyRestoreWithoutPlaintextInTheRepository) {
  std::string id = backup();
  ASSERT_FALSE(id.empty());
  auto files = stored_files(workspace_.repository());
  EXPECT_TRUE(files.contains("config.json"));
  EXPECT_TRUE(files.contains("keys/slot-0.json"));
  EXPECT_TRUE(files.contains("app/" + id + "/manifest.json"));
  for (const auto& [name, content] : files) {
    EXPECT_FALSE(contains(content, kMarkerRow)) << name << " holds the marker row in plaintext";
    EXPECT_FALSE(contains(content, "first passphrase")) << name;
    EXPECT_FALSE(contains(content, "SQLite format 3")) << name;
  }
  EXPECT_FALSE(contains(files["app/" + id + "/manifest.json"], "sha256"));

  EXPECT_EQ(workspace_.listed_ids(), std::vector<std::string>{id});
  auto shown = workspace_.dbkeep_json({"show", id});
  EXPECT_EQ(shown["files"][0]["encryption"], "xchacha20poly1305-secretstream");

  auto verify = workspace_.dbkeep({"verify", "--latest"});
  EXPECT_EQ(verify.exit_code, 0) << verify.stderr_text << verify.stdout_text;

  auto target = workspace_.dir() / "restored.db";
  auto restore = workspace_.dbkeep({"restore", id, "--sqlite-path", target.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.stderr_text;
  auto restored =
      source::sqlite::SqliteDatabase::open(target, source::sqlite::SqliteDatabase::Mode::kReadOnly);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->query_text("SELECT count(*) FROM t").value(), "220");
  EXPECT_EQ(
      restored
          ->query_text("SELECT count(*) FROM t WHERE payload = '" + std::string(kMarkerRow) + "'")
          .value(),
      "20");
}

TEST_F(EncryptionEndToEndTest, WrongPassphraseExits1AndWritesNothing) {
  ASSERT_FALSE(backup().empty());
  auto before = stored_files(workspace_.repository());
  auto wrong = workspace_.dir() / "wrong";
  write_secret_file(wrong, "not the passphrase");
  auto run = workspace_.dbkeep({"backup"}, {{"DBKEEP_REPOSITORY_PASSPHRASE_FILE", wrong.string()}});
  EXPECT_EQ(run.exit_code, 1) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "wrong passphrase")) << run.stderr_text;
  EXPECT_FALSE(contains(run.stderr_text, "not the passphrase"));
  EXPECT_EQ(stored_files(workspace_.repository()), before);
  EXPECT_EQ(workspace_.dbkeep({"list"}, {{"DBKEEP_REPOSITORY_PASSPHRASE_FILE", wrong.string()}})
                .exit_code,
            1);
}

TEST_F(EncryptionEndToEndTest, UnencryptedWritesToAnEncryptedRepositoryAreRefused) {
  ASSERT_FALSE(backup().empty());
  auto before = stored_files(workspace_.repository());
  auto run = workspace_.dbkeep({"backup"}, {{"DBKEEP_REPOSITORY_ENCRYPTION", "none"}});
  EXPECT_EQ(run.exit_code, 2) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "is encrypted")) << run.stderr_text;
  EXPECT_EQ(stored_files(workspace_.repository()), before);
}

TEST_F(EncryptionEndToEndTest, MissingPassphraseIsAClearErrorAndWritesNothing) {
  auto run = workspace_.dbkeep(
      {"backup"}, {{"DBKEEP_REPOSITORY_PASSPHRASE_FILE", (workspace_.dir() / "absent").string()}});
  EXPECT_EQ(run.exit_code, 2) << run.stderr_text;
  EXPECT_TRUE(contains(run.stderr_text, "passphrase file")) << run.stderr_text;
  EXPECT_TRUE(stored_files(workspace_.repository()).empty());
}

TEST_F(EncryptionEndToEndTest, AFlippedBitInTheStoredObjectFailsVerifyWithExit3NamingIt) {
  std::string id = backup();
  ASSERT_FALSE(id.empty());
  {
    std::fstream file(data_object(id), std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(5000);
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x01);
    file.seekp(5000);
    file.write(&byte, 1);
  }
  auto verify = workspace_.dbkeep({"verify", id});
  EXPECT_EQ(verify.exit_code, 3) << verify.stderr_text;
  EXPECT_TRUE(contains(verify.stdout_text, "app/" + id + "/data/app.db")) << verify.stdout_text;
  EXPECT_TRUE(contains(verify.stdout_text, "authentication failed")) << verify.stdout_text;
  auto target = workspace_.dir() / "restored.db";
  EXPECT_NE(workspace_.dbkeep({"restore", id, "--sqlite-path", target.string()}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(EncryptionEndToEndTest, KeySlotsAddListChangeRemove) {
  std::string id = backup();
  ASSERT_FALSE(id.empty());
  auto second = workspace_.dir() / "second";
  write_secret_file(second, "second passphrase 2");
  auto added = workspace_.dbkeep({"key", "add", "--new-passphrase-file", second.string()});
  ASSERT_EQ(added.exit_code, 0) << added.stderr_text;

  auto listed = workspace_.dbkeep_json({"key", "list"});
  ASSERT_EQ(listed["slots"].size(), 2U);
  EXPECT_EQ(listed["slots"][1]["kdf"]["algorithm"], "argon2id13");

  std::map<std::string, std::string> with_second = {
      {"DBKEEP_REPOSITORY_PASSPHRASE_FILE", second.string()}};
  EXPECT_EQ(workspace_.dbkeep({"verify", id}, with_second).exit_code, 0);

  ASSERT_EQ(workspace_.dbkeep({"key", "remove", "0"}).exit_code, 0);
  EXPECT_EQ(workspace_.dbkeep({"verify", id}).exit_code, 1);  // the first passphrase is gone
  EXPECT_EQ(workspace_.dbkeep({"verify", id}, with_second).exit_code, 0);

  auto last = workspace_.dbkeep({"key", "remove", "1"}, with_second);
  EXPECT_EQ(last.exit_code, 2);
  EXPECT_TRUE(contains(last.stderr_text, "last key slot")) << last.stderr_text;

  auto changed =
      workspace_.dbkeep({"key", "change"}, {{"DBKEEP_REPOSITORY_PASSPHRASE_FILE", second.string()},
                                            {"DBKEEP_NEW_PASSPHRASE", "third passphrase 3"}});
  ASSERT_EQ(changed.exit_code, 0) << changed.stderr_text;
  EXPECT_EQ(workspace_.dbkeep({"verify", id}, with_second).exit_code, 1);
  auto third = workspace_.dir() / "third";
  write_secret_file(third, "third passphrase 3");
  EXPECT_EQ(
      workspace_.dbkeep({"verify", id}, {{"DBKEEP_REPOSITORY_PASSPHRASE_FILE", third.string()}})
          .exit_code,
      0);
}

TEST_F(EncryptionEndToEndTest, CheckConfigReportsTheEncryptionStateAndWhetherTheKeyOpens) {
  auto fresh = workspace_.dbkeep({"check-config"});
  EXPECT_EQ(fresh.exit_code, 0) << fresh.stdout_text << fresh.stderr_text;
  EXPECT_TRUE(contains(fresh.stdout_text, "ok    encryption repokey: no key in the repository yet"))
      << fresh.stdout_text;
  EXPECT_TRUE(contains(fresh.stdout_text, "ok    passphrase available")) << fresh.stdout_text;
  EXPECT_TRUE(stored_files(workspace_.repository()).empty()) << "check-config created a key";

  ASSERT_FALSE(backup().empty());
  auto second = workspace_.dir() / "second";
  write_secret_file(second, "second passphrase 2");
  ASSERT_EQ(workspace_.dbkeep({"key", "add", "--new-passphrase-file", second.string()}).exit_code,
            0);
  auto check = workspace_.dbkeep({"check-config"});
  EXPECT_EQ(check.exit_code, 0) << check.stdout_text << check.stderr_text;
  EXPECT_TRUE(contains(check.stdout_text, "ok    encryption repokey, key ")) << check.stdout_text;
  EXPECT_TRUE(contains(check.stdout_text, "2 key slots (0 passphrase, 1 passphrase)"))
      << check.stdout_text;
  EXPECT_TRUE(contains(check.stdout_text, "ok    configured passphrase opens the key (slot 0)"))
      << check.stdout_text;
  auto by_second =
      workspace_.dbkeep({"check-config"}, {{"DBKEEP_REPOSITORY_PASSPHRASE_FILE", second.string()}});
  EXPECT_TRUE(contains(by_second.stdout_text, "opens the key (slot 1)")) << by_second.stdout_text;

  auto wrong = workspace_.dir() / "wrong";
  write_secret_file(wrong, "not the passphrase");
  auto refused =
      workspace_.dbkeep({"check-config"}, {{"DBKEEP_REPOSITORY_PASSPHRASE_FILE", wrong.string()}});
  EXPECT_EQ(refused.exit_code, 2) << refused.stdout_text << refused.stderr_text;
  EXPECT_TRUE(contains(refused.stdout_text, "FAIL  configured passphrase opens the key"))
      << refused.stdout_text;
  EXPECT_FALSE(contains(refused.stdout_text, "not the passphrase"));

  auto plain = workspace_.dbkeep({"check-config"}, {{"DBKEEP_REPOSITORY_ENCRYPTION", "none"}});
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_TRUE(contains(plain.stdout_text, "the repository is encrypted but encryption = \"none\""))
      << plain.stdout_text;
}

TEST_F(EncryptionEndToEndTest, PassphraseFromTheEnvironmentAndNoneWithoutATerminal) {
  std::string config = read_file(workspace_.config());
  auto line = config.find("passphrase_file");
  config.erase(line, config.find('\n', line) - line + 1);
  std::ofstream(workspace_.config()) << config;

  auto missing = workspace_.dbkeep({"backup"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.stderr_text, "DBKEEP_PASSPHRASE")) << missing.stderr_text;
  EXPECT_TRUE(stored_files(workspace_.repository()).empty());

  std::map<std::string, std::string> env = {{"DBKEEP_PASSPHRASE", "from the environment"}};
  auto run = workspace_.dbkeep({"--json", "backup"}, env);
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(workspace_.dbkeep({"verify", "--latest"}, env).exit_code, 0);
  EXPECT_EQ(workspace_.dbkeep({"verify", "--latest"}, {{"DBKEEP_PASSPHRASE", "other"}}).exit_code,
            1);
}

TEST_F(EncryptionEndToEndTest, KeyFileRepositoryWithHiddenNames) {
  auto key_file = workspace_.dir() / "repo.key";
  std::string config = read_file(workspace_.config());
  config.replace(config.find("encryption = \"repokey\""), 22,
                 "encryption = \"keyfile\"\nkey_file = \"" + key_file.string() +
                     "\"\nencrypt_metadata = true");
  std::ofstream(workspace_.config()) << config;
  auto init = workspace_.dbkeep({"key", "init"});
  ASSERT_EQ(init.exit_code, 0) << init.stderr_text;
  struct stat info {};
  ASSERT_EQ(::stat(key_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);

  std::string id = backup();
  ASSERT_FALSE(id.empty());
  for (const auto& [name, content] : stored_files(workspace_.repository())) {
    EXPECT_FALSE(contains(name, "app.db")) << name;
    EXPECT_FALSE(contains(content, kMarkerRow)) << name;
  }
  EXPECT_EQ(workspace_.dbkeep({"verify", id}).exit_code, 0);
}

}  // namespace
}  // namespace dbkeep::test
