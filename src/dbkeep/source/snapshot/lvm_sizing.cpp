#include "dbkeep/source/snapshot/lvm_sizing.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <sstream>

namespace dbkeep::source::snapshot::lvm {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

constexpr std::uint64_t round_up_to_mib(std::uint64_t bytes) {
  return (bytes + kMiB - 1) / kMiB * kMiB;
}

}  // namespace

Result<std::uint64_t> auto_snapshot_size(std::uint64_t lv_size, std::uint64_t vg_free,
                                         std::string_view vg_name) {
  constexpr std::uint64_t kSmallestUseful = 256 * kMiB;
  std::uint64_t wanted = std::max(kGiB, lv_size / 100 * 15);
  wanted = round_up_to_mib(std::min(wanted, lv_size));
  std::uint64_t available = vg_free / kMiB * kMiB;
  std::uint64_t size = std::min(wanted, available);
  if (size < std::min(wanted, kSmallestUseful)) {
    return fail("volume group " + std::string(vg_name) + " has only " + human_size(vg_free) +
                " free, too little for a snapshot (about " + human_size(wanted) +
                " wanted); free space in the volume group or set snapshot.size");
  }
  return size;
}

std::string format_size_argument(std::uint64_t bytes) {
  if (bytes % kGiB == 0) return std::to_string(bytes / kGiB) + "g";
  return std::to_string(round_up_to_mib(bytes) / kMiB) + "m";
}

std::string human_size(std::uint64_t bytes) {
  char text[32];
  if (bytes >= kGiB) {
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / kGiB);
  } else {
    std::snprintf(text, sizeof text, "%.0f MiB", static_cast<double>(bytes) / kMiB);
  }
  return text;
}

std::uint64_t suggested_size_after_overflow(std::uint64_t current) {
  return (2 * current + kGiB - 1) / kGiB * kGiB;
}

Result<SnapshotFill> parse_snapshot_fill(std::string_view lvs_output) {
  std::istringstream fields{std::string(trim(lvs_output))};
  std::string attributes, percent;
  fields >> attributes >> percent;
  // lv_attr: [0] volume type ('s' snapshot, 'S' invalid snapshot), [4] state ('I' invalid
  // snapshot, 'S' invalid suspended snapshot). See lvs(8).
  if (attributes.size() < 5) {
    return fail("unexpected lvs output \"" + std::string(trim(lvs_output)) + "\"");
  }
  SnapshotFill fill;
  fill.invalid = attributes[0] == 'S' || attributes[4] == 'I' || attributes[4] == 'S';
  if (!percent.empty()) {
    auto [end, error] =
        std::from_chars(percent.data(), percent.data() + percent.size(), fill.data_percent);
    if (error != std::errc{} || end != percent.data() + percent.size()) {
      return fail("unexpected lvs data_percent \"" + percent + "\"");
    }
  }
  if (fill.data_percent >= 100.0) fill.invalid = true;
  return fill;
}

Result<std::uint64_t> parse_byte_count(std::string_view text) {
  text = trim(text);
  if (!text.empty() && (text.back() == 'B' || text.back() == 'b')) text.remove_suffix(1);
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return fail("expected a byte count, got \"" + std::string(text) + "\"");
  }
  return value;
}

}  // namespace dbkeep::source::snapshot::lvm
