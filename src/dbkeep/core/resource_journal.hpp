#pragma once
// The resource journal: a small JSON state file listing every resource a run created that must
// be undone (a snapshot, a mount, …). An entry is written — fsync'd and atomically renamed into
// place — *before* the resource is created, and forgotten after it is undone, so a run killed at
// any point leaves a file that names everything the next run must clean up (see
// source/snapshot/leftover_recovery.hpp). An entry for a resource that was never created is
// harmless: recovery tolerates resources that are already gone.
//
// One journal file per backup set; the caller holds the set's lock, so there is one writer.

#include <filesystem>
#include <string>
#include <vector>

#include "dbkeep/core/error.hpp"

namespace dbkeep::core {

struct JournalEntry {
  std::string kind;      // "mount", "snapshot"; other modules may add kinds of their own
  std::string provider;  // for snapshots: "lvm", "btrfs", "zfs"; empty otherwise
  std::string target;    // what identifies it: mount path, "vg/lv", subvolume path, "pool/ds@name"
  bool recursive = false;  // zfs: the snapshot was taken (and is destroyed) with -r

  friend bool operator==(const JournalEntry&, const JournalEntry&) = default;
};

class ResourceJournal {
 public:
  // Loads `file` if it exists (a leftover of an earlier run), else starts empty. The parent
  // directory is created (0700) if missing; the temporary file of a killed writer is removed. A
  // corrupt file is an error, never silently dropped.
  static Result<ResourceJournal> open(std::filesystem::path file);

  // Adds `entry` and persists the journal before returning. Recording an identical entry twice
  // keeps one copy.
  Result<void> record(const JournalEntry& entry);
  // Removes `entry` (no-op if absent) and persists the journal; the file is deleted when empty.
  Result<void> forget(const JournalEntry& entry);

  // Entries in the order they were recorded.
  [[nodiscard]] const std::vector<JournalEntry>& entries() const { return entries_; }
  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  explicit ResourceJournal(std::filesystem::path file) : file_(std::move(file)) {}
  Result<void> persist() const;
  // Where persist() writes before renaming over file_.
  [[nodiscard]] std::filesystem::path temporary_file() const {
    auto path = file_;
    path += ".tmp";
    return path;
  }

  std::filesystem::path file_;
  std::vector<JournalEntry> entries_;
};

}  // namespace dbkeep::core
