#pragma once
// Command helpers shared by the snapshot providers and by leftover recovery.

#include <filesystem>
#include <string>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/core/resource_journal.hpp"
#include "dbkeep/source/snapshot/snapshot_provider.hpp"

namespace dbkeep::source::snapshot {

// Runs `command` until it succeeds, at most `retry.attempts` times, pausing between attempts and
// logging each failure. The error names the command and its last failure.
Result<core::CommandResult> run_with_retries(core::CommandRunner& runner,
                                             const core::Command& command,
                                             const RetryPolicy& retry);

// `umount PATH`, retried (a reader may still be closing files).
Result<void> unmount_path(core::CommandRunner& runner, const std::filesystem::path& path,
                          const RetryPolicy& retry);
// `mountpoint -q PATH`: whether something is mounted there.
Result<bool> is_mounted(core::CommandRunner& runner, const std::filesystem::path& path);

// Journal entries, built in one place so providers and recovery agree on their shape.
core::JournalEntry mount_entry(const std::filesystem::path& path);
core::JournalEntry snapshot_entry(ProviderKind provider, std::string target,
                                  bool recursive = false);

// A snapshot's creation, split around the global read lock so that only the one command runs
// while writers wait:
//   arm()    before the lock: journals the entries (fsync'd, slow on a busy disk) and keeps the
//            command ready;
//   run()    under the lock: runs the command (not retried). `needs_undo` becomes true when the
//            resources exist — or may exist, when the command timed out or could not be
//            waited for; the entries then stay journalled. When the tool reports a failure it
//            made nothing, so the entries are forgotten;
//   disarm() when the lock was never taken or run() never came: forgets the entries.
// A run killed between arm() and run() leaves entries for a snapshot that does not exist,
// which leftover recovery tolerates.
class PendingCreation {
 public:
  Result<void> arm(core::ResourceJournal& journal, std::vector<core::JournalEntry> entries,
                   core::Command command);
  Result<void> run(core::CommandRunner& runner, core::ResourceJournal& journal, bool& needs_undo);
  void disarm(core::ResourceJournal& journal);
  [[nodiscard]] bool armed() const { return armed_; }

 private:
  std::vector<core::JournalEntry> entries_;
  core::Command command_;
  bool armed_ = false;
};

// For a journalled snapshot: the command that removes it, and one that succeeds only while it
// exists. Providers remove their snapshots with the first; leftover recovery uses both.
core::Command snapshot_removal_command(const core::JournalEntry& entry);
core::Command snapshot_existence_probe(const core::JournalEntry& entry);

// Forgets `entry` after its resource was undone. A failure only means the next run retries an
// undo that finds nothing, so it is logged, not returned.
void forget_undone(core::ResourceJournal& journal, const core::JournalEntry& entry);

// Runs a command with LC_ALL=C so numbers and messages parse the same on every machine.
core::Command c_locale_command(std::vector<std::string> argv);

}  // namespace dbkeep::source::snapshot
