#pragma once
// Where a logical volume's block device is. udev makes /dev/<vg>/<lv>; inside a container
// without udev only device-mapper's /dev/mapper/<vg>-<lv> exists (each '-' in the names
// doubled, so "my-vg"/"db-snap" is "my--vg-db--snap").

#include <filesystem>
#include <functional>
#include <string>

namespace dbkeep::source::snapshot::lvm {

// "my--vg-db--snap" for ("my-vg", "db-snap").
std::string mapper_name(const std::string& volume_group, const std::string& volume);

// /dev/<vg>/<lv> when `exists` says so, else /dev/mapper/<vg>-<lv> when that exists, else
// /dev/<vg>/<lv> (whatever then uses it fails naming the usual path).
std::filesystem::path device_path(
    const std::string& volume_group, const std::string& volume,
    const std::function<bool(const std::filesystem::path&)>& exists =
        [](const std::filesystem::path& path) { return std::filesystem::exists(path); });

}  // namespace dbkeep::source::snapshot::lvm
