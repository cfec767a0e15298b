// lvm::device_path: /dev/<vg>/<lv> where udev made it, device-mapper's /dev/mapper/<vg>-<lv>
// in a container without udev (the snapshot is mounted through whichever exists).

#include "dbkeep/source/snapshot/lvm_device_path.hpp"

#include <gtest/gtest.h>

#include <set>

namespace dbkeep::source::snapshot::lvm {
namespace {

namespace fs = std::filesystem;

auto only(std::set<fs::path> present) {
  return [present = std::move(present)](const fs::path& path) { return present.contains(path); };
}

TEST(LvmDevicePathTest, MapperNamesDoubleEachDash) {
  EXPECT_EQ(mapper_name("vg0", "data"), "vg0-data");
  EXPECT_EQ(mapper_name("my-vg", "db-snap"), "my--vg-db--snap");
}

TEST(LvmDevicePathTest, PrefersUdevsPathAndFallsBackToDeviceMapper) {
  EXPECT_EQ(device_path("vg0", "snap", only({"/dev/vg0/snap", "/dev/mapper/vg0-snap"})),
            "/dev/vg0/snap");
  EXPECT_EQ(device_path("my-vg", "db-snap", only({"/dev/mapper/my--vg-db--snap"})),
            "/dev/mapper/my--vg-db--snap");
  EXPECT_EQ(device_path("vg0", "snap", only({})), "/dev/vg0/snap");
}

}  // namespace
}  // namespace dbkeep::source::snapshot::lvm
