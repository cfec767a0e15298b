// Option validation in make_snapshot_provider, shared by every provider.

#include "dbkeep/source/snapshot/snapshot_provider.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/recording_command_runner.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::source::snapshot {
namespace {

using ::testing::HasSubstr;

class SnapshotProviderFactoryTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<SnapshotProvider>> make(SnapshotOptions options) {
    return make_snapshot_provider(std::move(options), runner_, journal_);
  }
  static SnapshotOptions valid_lvm() {
    return {.provider = ProviderKind::kLvm,
            .volumes = {"vg/lv"},
            .mount_point = "/mnt/snapshot",
            .name = "dbkeep_main_1"};
  }
  void expect_usage_error(const SnapshotOptions& options, const std::string& fragment) {
    auto provider = make(options);
    ASSERT_FALSE(provider);
    EXPECT_EQ(provider.error().kind, ErrorKind::kUsage);
    EXPECT_THAT(provider.error().message, HasSubstr(fragment));
  }

  core::TempDir scratch_ = test::make_temp_dir();
  core::ResourceJournal journal_ =
      core::ResourceJournal::open(scratch_.path() / "journal.json").value();
  test::RecordingCommandRunner runner_;
};

TEST_F(SnapshotProviderFactoryTest, ProviderNamesParse) {
  EXPECT_EQ(parse_provider_kind("zfs").value(), ProviderKind::kZfs);
  EXPECT_EQ(to_string(ProviderKind::kBtrfs), "btrfs");
  EXPECT_THAT(parse_provider_kind("xfs").error().message, HasSubstr("expected lvm, btrfs or zfs"));
}

TEST_F(SnapshotProviderFactoryTest, ValidOptionsBuildAProviderWithoutRunningAnything) {
  ASSERT_TRUE(make(valid_lvm()));
  EXPECT_TRUE(runner_.commands().empty());
}

TEST_F(SnapshotProviderFactoryTest, InvalidOptionsAreUsageErrors) {
  auto options = valid_lvm();
  options.name = "-rf";
  expect_usage_error(options, "must start with a letter or digit");
  options = valid_lvm();
  options.name = "a/b";
  expect_usage_error(options, "must start with a letter or digit");
  options = valid_lvm();
  options.volumes = {"vg/a", "vg/b"};
  expect_usage_error(options, "exactly one snapshot.volume");
  options = valid_lvm();
  options.mount_point = "relative/dir";
  expect_usage_error(options, "absolute snapshot.mount_point");
  options = valid_lvm();
  options.provider = ProviderKind::kBtrfs;
  options.size_bytes = 1 << 30;
  expect_usage_error(options, "apply to lvm only");
  options = valid_lvm();
  options.volumes = {};
  expect_usage_error(options, "snapshot.volume is required");
}

}  // namespace
}  // namespace dbkeep::source::snapshot
