#include "dbkeep/core/resource_journal.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace dbkeep::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const JournalEntry kSnapshot{.kind = "snapshot", .provider = "lvm", .target = "vg/dbkeep_1"};
const JournalEntry kMount{.kind = "mount", .target = "/mnt/dbkeep"};

class ResourceJournalTest : public ::testing::Test {
 protected:
  core::TempDir scratch_ = test::make_temp_dir();
  std::filesystem::path file_ = scratch_.path() / "state" / "main.resources.json";
};

TEST_F(ResourceJournalTest, RecordedEntriesAreOnDiskForTheNextRun) {
  auto journal = ResourceJournal::open(file_).value();
  ASSERT_TRUE(journal.record(kSnapshot));
  ASSERT_TRUE(journal.record(kMount));
  ASSERT_TRUE(journal.record(kMount));  // recorded once

  auto next_run = ResourceJournal::open(file_).value();
  EXPECT_THAT(next_run.entries(), ElementsAre(kSnapshot, kMount));
  EXPECT_FALSE(std::filesystem::exists(file_.string() + ".tmp"));
  EXPECT_EQ(std::filesystem::status(file_).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(ResourceJournalTest, ForgettingTheLastEntryDeletesTheFile) {
  auto journal = ResourceJournal::open(file_).value();
  ASSERT_TRUE(journal.record(kSnapshot));
  ASSERT_TRUE(journal.record(kMount));
  ASSERT_TRUE(journal.forget(kMount));
  EXPECT_THAT(ResourceJournal::open(file_).value().entries(), ElementsAre(kSnapshot));
  ASSERT_TRUE(journal.forget(kSnapshot));
  ASSERT_TRUE(journal.forget(kSnapshot));  // absent: no-op
  EXPECT_THAT(journal.entries(), IsEmpty());
  EXPECT_FALSE(std::filesystem::exists(file_));
}

TEST_F(ResourceJournalTest, TemporaryFileOfAKilledWriterIsRemovedAndTheOldJournalKept) {
  {
    auto journal = ResourceJournal::open(file_).value();
    ASSERT_TRUE(journal.record(kSnapshot));
  }
  // A run killed after writing the next version but before renaming it into place.
  std::ofstream(file_.string() + ".tmp") << R"({"version": 1, "resources": [)";
  auto next_run = ResourceJournal::open(file_).value();
  EXPECT_THAT(next_run.entries(), ElementsAre(kSnapshot));
  EXPECT_FALSE(std::filesystem::exists(file_.string() + ".tmp"));
}

TEST_F(ResourceJournalTest, RecursiveFlagSurvivesTheRoundTrip) {
  JournalEntry zfs{.kind = "snapshot", .provider = "zfs", .target = "tank@x", .recursive = true};
  ASSERT_TRUE(ResourceJournal::open(file_).value().record(zfs));
  EXPECT_THAT(ResourceJournal::open(file_).value().entries(), ElementsAre(zfs));
}

TEST_F(ResourceJournalTest, CorruptFileIsAnErrorNotSilentlyDropped) {
  std::filesystem::create_directories(file_.parent_path());
  std::ofstream(file_) << "{\"version\": 1, \"resources\": [ {\"kind\": ";
  auto journal = ResourceJournal::open(file_);
  ASSERT_FALSE(journal);
  EXPECT_THAT(journal.error().message, HasSubstr("is corrupt"));
}

}  // namespace
}  // namespace dbkeep::core
