// Every reader of JSON that dbkeep did not build itself refuses a deeply nested document with an
// error instead of overflowing the stack (core/bounded_json.hpp). The deep document is a
// million brackets, far past what nlohmann::json's recursive destructor survives.

#include "dbkeep/core/bounded_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "dbkeep/core/resource_journal.hpp"
#include "dbkeep/crypto/key_slot.hpp"
#include "dbkeep/crypto/repository_keys.hpp"
#include "dbkeep/ops/daemon.hpp"
#include "dbkeep/ops/run_record.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/storage/memory_backend.hpp"
#include "dbkeep/verify/restore_drill.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep {
namespace {

using ::testing::HasSubstr;

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}
const std::string kDeep = nested(1'000'000);

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(BoundedJsonTest, NestingUpToTheLimitIsAcceptedAndOneLevelMoreIsNot) {
  EXPECT_TRUE(core::parse_bounded_json(nested(core::kMaxJsonDepth)));
  auto deeper = core::parse_bounded_json(nested(core::kMaxJsonDepth + 1));
  ASSERT_FALSE(deeper);
  EXPECT_EQ(deeper.error(), core::JsonProblem::kTooDeep);
  auto deepest = core::parse_bounded_json(kDeep);
  ASSERT_FALSE(deepest);
  EXPECT_EQ(deepest.error(), core::JsonProblem::kTooDeep);
}

TEST(BoundedJsonTest, InvalidJsonIsToldApartFromTooDeep) {
  auto invalid = core::parse_bounded_json(R"({"a": )");
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error(), core::JsonProblem::kInvalid);
  EXPECT_EQ(core::describe(invalid.error()), "is not valid JSON");
  EXPECT_EQ(core::describe(core::JsonProblem::kTooDeep), "nests deeper than 64 levels");
  EXPECT_EQ(core::parse_bounded_json(R"({"a": [1, {"b": 2}]})")->at("a")[1]["b"], 2);
}

TEST(BoundedJsonTest, ManifestKeySlotAndMarkerFromStorageAreRefused) {
  auto manifest = repo::parse_manifest(kDeep, "app/1/manifest.json");
  ASSERT_FALSE(manifest);
  EXPECT_THAT(manifest.error().message, HasSubstr("nests deeper than 64 levels"));

  auto slot = crypto::slot_from_json(kDeep, "keys/slot-1.json");
  ASSERT_FALSE(slot);
  EXPECT_THAT(slot.error().message, HasSubstr("key slot nests deeper than 64 levels"));

  storage::MemoryBackend backend;
  ASSERT_TRUE(storage::write_all(backend, crypto::kMarkerKey, kDeep));
  auto marker = crypto::read_marker(backend);
  ASSERT_FALSE(marker);
  EXPECT_THAT(marker.error().message, HasSubstr("repository marker is damaged"));
}

TEST(BoundedJsonTest, DeepDrillRecordReadsAsNoDrill) {
  storage::MemoryBackend backend;
  ASSERT_TRUE(storage::write_all(
      backend, repo::Repository::backup_prefix("app", "20261122_120000") + "drills/1.json", kDeep));
  auto drill = verify::last_drill(backend, "app", "20261122_120000");
  ASSERT_TRUE(drill) << drill.error().message;
  EXPECT_FALSE(drill->has_value());
}

TEST(BoundedJsonTest, StateFilesAreRefusedWithTheirName) {
  auto dir = test::make_temp_dir();
  write_text(dir.path() / "app.json", kDeep);
  auto record = ops::RunRecordStore(dir.path()).load("app");
  ASSERT_FALSE(record);
  EXPECT_THAT(record.error().message, HasSubstr("app.json nests deeper than 64 levels"));

  write_text(dir.path() / "daemon.json", kDeep);
  ops::DaemonState state(dir.path() / "daemon.json");
  auto loaded = state.load();
  ASSERT_FALSE(loaded);
  EXPECT_THAT(loaded.error().message, HasSubstr("daemon.json is malformed"));

  write_text(dir.path() / "app.resources.json", kDeep);
  auto journal = core::ResourceJournal::open(dir.path() / "app.resources.json");
  ASSERT_FALSE(journal);
  EXPECT_THAT(journal.error().message, HasSubstr("nests deeper than 64 levels"));
}

}  // namespace
}  // namespace dbkeep
