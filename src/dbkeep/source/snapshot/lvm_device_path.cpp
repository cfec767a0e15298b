#include "dbkeep/source/snapshot/lvm_device_path.hpp"

namespace dbkeep::source::snapshot::lvm {
namespace {

std::string doubled_dashes(const std::string& name) {
  std::string out;
  for (char c : name) {
    out += c;
    if (c == '-') out += '-';
  }
  return out;
}

}  // namespace

std::string mapper_name(const std::string& volume_group, const std::string& volume) {
  return doubled_dashes(volume_group) + "-" + doubled_dashes(volume);
}

std::filesystem::path device_path(const std::string& volume_group, const std::string& volume,
                                  const std::function<bool(const std::filesystem::path&)>& exists) {
  const std::filesystem::path udev = std::filesystem::path("/dev") / volume_group / volume;
  if (exists(udev)) return udev;
  const std::filesystem::path mapper =
      std::filesystem::path("/dev/mapper") / mapper_name(volume_group, volume);
  return exists(mapper) ? mapper : udev;
}

}  // namespace dbkeep::source::snapshot::lvm
