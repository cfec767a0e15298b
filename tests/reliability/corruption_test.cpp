// Corruption: a seeded generator damages stored objects and manifests of real SQLite backups
// (flip a byte, truncate, delete). `verify ID` must notice every case (exit 3, or a clear error
// naming the backup — never 0), and `restore` must refuse without leaving anything at the target.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include "reliability_summary.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test::reliability {
namespace {

namespace fs = std::filesystem;

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

enum class Damage { kFlipByte, kTruncate, kDelete };

const char* damage_name(Damage damage) {
  switch (damage) {
    case Damage::kFlipByte:
      return "flip";
    case Damage::kTruncate:
      return "truncate";
    case Damage::kDelete:
      return "delete";
  }
  return "?";
}

// Applies `damage` to `file`; returns a description for failure messages.
std::string apply(Damage damage, const fs::path& file, std::mt19937_64& random) {
  std::string bytes = read_file(file);
  std::string what = std::string(damage_name(damage)) + " " + file.filename().string();
  switch (damage) {
    case Damage::kFlipByte: {
      auto at = std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(random);
      auto mask = std::uniform_int_distribution<int>(1, 255)(random);
      bytes[at] = static_cast<char>(bytes[at] ^ mask);
      write_bytes(file, bytes);
      return what + " at " + std::to_string(at) + " ^ " + std::to_string(mask);
    }
    case Damage::kTruncate: {
      auto size = std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(random);
      fs::resize_file(file, size);
      return what + " to " + std::to_string(size) + " of " + std::to_string(bytes.size());
    }
    case Damage::kDelete:
      fs::remove(file);
      return what;
  }
  return what;
}

// Three backups of the same database with each codec, copied aside as the pristine repository.
class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    workspace_.fill(300, 700, /*wal=*/true);
    for (const char* codec : {"zstd", "gzip", "none"}) {
      auto run = workspace_.dbkeep({"backup"}, {{"DBKEEP_SET_APP_COMPRESSION", codec}});
      counters().runs++;
      ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
    }
    ids_ = workspace_.listed_ids();
    ASSERT_EQ(ids_.size(), 3U);
    pristine_ = workspace_.dir() / "pristine";
    fs::copy(workspace_.repository(), pristine_, fs::copy_options::recursive);
  }

  void reset_repository() {
    fs::remove_all(workspace_.repository());
    fs::copy(pristine_, workspace_.repository(), fs::copy_options::recursive);
  }

  // Every regular file of backup `id`: its manifest and data objects.
  std::vector<fs::path> files_of(const std::string& id) const {
    std::vector<fs::path> files;
    for (const auto& entry :
         fs::recursive_directory_iterator(workspace_.repository() / "app" / id)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  SqliteWorkspace workspace_;
  std::vector<std::string> ids_;
  fs::path pristine_;
};

TEST_F(CorruptionTest, VerifyDetectsEveryCaseAndRestoreRefuses) {
  auto random = seeded_generator(1);
  int cases = case_count(120, 1000);
  std::map<std::string, int> exit_codes;  // "verify=3 restore=3" → count, printed at the end
  auto target = workspace_.dir() / "restored.db";
  for (int i = 0; i < cases; ++i) {
    reset_repository();
    std::string id = ids_[std::uniform_int_distribution<std::size_t>(0, ids_.size() - 1)(random)];
    auto files = files_of(id);
    auto file = files[std::uniform_int_distribution<std::size_t>(0, files.size() - 1)(random)];
    auto damage = static_cast<Damage>(std::uniform_int_distribution<int>(0, 2)(random));
    std::string what = "case " + std::to_string(i) + " (seed " + std::to_string(base_seed()) +
                       "), backup " + id + ": " + apply(damage, file, random);
    counters().faults_injected++;

    auto verify = workspace_.dbkeep({"verify", id});
    counters().runs++;
    EXPECT_NE(verify.exit_code, 0) << what << "\n" << verify.stdout_text;
    EXPECT_FALSE(verify.stderr_text.empty() && verify.stdout_text.empty()) << what;
    if (verify.exit_code == 0) counters().data_lost++;

    fs::remove(target);
    auto restore = workspace_.dbkeep({"restore", id, "--sqlite-path", target.string()});
    counters().runs++;
    EXPECT_NE(restore.exit_code, 0) << what;
    bool wrote_something = fs::exists(target);
    for (const auto& entry : fs::directory_iterator(workspace_.dir())) {
      // the restore's temporary file next to the target must be gone too
      if (entry.path().filename().string().find("restored.db") != std::string::npos) {
        wrote_something = true;
      }
    }
    EXPECT_FALSE(wrote_something) << what << ": restore left a file at the target";
    if (restore.exit_code == 0 || wrote_something) counters().data_lost++;
    exit_codes["verify=" + std::to_string(verify.exit_code) +
               " restore=" + std::to_string(restore.exit_code)]++;
  }
  std::cout << "[ corrupt  ] " << cases << " cases:";
  for (const auto& [codes, count] : exit_codes) std::cout << " " << codes << " ×" << count << ";";
  std::cout << "\n";

  // The undamaged repository still verifies and restores.
  reset_repository();
  auto verify = workspace_.dbkeep({"verify"});
  counters().runs++;
  ASSERT_EQ(verify.exit_code, 0) << verify.stderr_text;
  counters().backups_verified += ids_.size();
}

}  // namespace
}  // namespace dbkeep::test::reliability
