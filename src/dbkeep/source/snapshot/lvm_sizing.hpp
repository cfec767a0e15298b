#pragma once
// Pure helpers for LVM snapshots: choosing the copy-on-write size, formatting sizes for lvcreate
// and messages, and reading the fill level lvs reports. No commands run here.

#include <cstdint>
#include <string>
#include <string_view>

#include "dbkeep/core/error.hpp"

namespace dbkeep::source::snapshot::lvm {

inline constexpr std::uint64_t kMiB = 1024ull * 1024;
inline constexpr std::uint64_t kGiB = 1024 * kMiB;

// The default snapshot size when none is configured: 15% of the origin LV, at least 1 GiB, never
// more than the LV itself (a snapshot as big as its origin cannot overflow), and never more than
// the volume group has free. Fails when the VG has less than min(wanted, 256 MiB) free: such a
// snapshot would overflow during almost any real backup. Rounded to whole MiB.
Result<std::uint64_t> auto_snapshot_size(std::uint64_t lv_size, std::uint64_t vg_free,
                                         std::string_view vg_name);

// "2g" when a whole number of GiB, else MiB rounded up ("1536m"); LVM reads both as binary units.
std::string format_size_argument(std::uint64_t bytes);
// "1.5 GiB", for people.
std::string human_size(std::uint64_t bytes);

// A size worth suggesting after `current` proved too small: twice as big, in whole GiB.
std::uint64_t suggested_size_after_overflow(std::uint64_t current);

// One line of `lvs --noheadings -o lv_attr,data_percent`, e.g. "  swi-a-s---  12.34".
struct SnapshotFill {
  bool invalid = false;       // the snapshot overflowed (or was otherwise invalidated)
  double data_percent = 0.0;  // how much of its copy-on-write space is used
};
Result<SnapshotFill> parse_snapshot_fill(std::string_view lvs_output);

// Parses "  1073741824" / "1073741824B" (lvs/vgs with --units b --nosuffix may still pad).
Result<std::uint64_t> parse_byte_count(std::string_view text);

}  // namespace dbkeep::source::snapshot::lvm
