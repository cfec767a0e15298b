#include "dbkeep/source/snapshot/lvm_sizing.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dbkeep::source::snapshot::lvm {
namespace {

using ::testing::HasSubstr;

TEST(LvmSizingTest, AutoSizeIsFifteenPercentOfTheVolume) {
  EXPECT_EQ(auto_snapshot_size(100 * kGiB, 20 * kGiB, "vg").value(), 15 * kGiB);
}

TEST(LvmSizingTest, AutoSizeIsAtLeastOneGibButNeverMoreThanTheVolume) {
  EXPECT_EQ(auto_snapshot_size(2 * kGiB, 20 * kGiB, "vg").value(), kGiB);
  EXPECT_EQ(auto_snapshot_size(500 * kMiB, 20 * kGiB, "vg").value(), 500 * kMiB);
}

TEST(LvmSizingTest, AutoSizeFitsWhatTheVolumeGroupHasFree) {
  EXPECT_EQ(auto_snapshot_size(100 * kGiB, 5 * kGiB + 123, "vg").value(), 5 * kGiB);
}

TEST(LvmSizingTest, TooLittleFreeSpaceIsAnErrorThatSaysWhatToDo) {
  auto size = auto_snapshot_size(100 * kGiB, 100 * kMiB, "vg_mysql");
  ASSERT_FALSE(size);
  EXPECT_THAT(size.error().message, HasSubstr("vg_mysql has only 100 MiB free"));
  EXPECT_THAT(size.error().message, HasSubstr("set snapshot.size"));
}

TEST(LvmSizingTest, SizeArgumentUsesWholeGibOrMibRoundedUp) {
  EXPECT_EQ(format_size_argument(15 * kGiB), "15g");
  EXPECT_EQ(format_size_argument(1536 * kMiB), "1536m");
  EXPECT_EQ(format_size_argument(kMiB + 1), "2m");
}

TEST(LvmSizingTest, SuggestionAfterOverflowDoublesInWholeGib) {
  EXPECT_EQ(suggested_size_after_overflow(15 * kGiB), 30 * kGiB);
  EXPECT_EQ(suggested_size_after_overflow(700 * kMiB), 2 * kGiB);
}

TEST(LvmSizingTest, FillLevelIsParsedFromLvs) {
  auto healthy = parse_snapshot_fill("  swi-a-s---   12.50\n").value();
  EXPECT_FALSE(healthy.invalid);
  EXPECT_DOUBLE_EQ(healthy.data_percent, 12.5);
  EXPECT_TRUE(parse_snapshot_fill("  swi-I-s---  100.00\n").value().invalid);
  EXPECT_TRUE(parse_snapshot_fill("  Swi-I-s---\n").value().invalid);
  EXPECT_FALSE(parse_snapshot_fill("\n"));  // the LV vanished
  EXPECT_FALSE(parse_snapshot_fill("  swi-a-s--- 12,5\n"));
}

TEST(LvmSizingTest, ByteCountsTolerateSpacesAndSuffix) {
  EXPECT_EQ(parse_byte_count("  1073741824B\n").value(), kGiB);
  EXPECT_FALSE(parse_byte_count("12.5g"));
}

}  // namespace
}  // namespace dbkeep::source::snapshot::lvm
