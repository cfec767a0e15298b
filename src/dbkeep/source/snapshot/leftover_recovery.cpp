#include "dbkeep/source/snapshot/leftover_recovery.hpp"

#include <optional>

#include "dbkeep/core/log.hpp"
#include "dbkeep/source/snapshot/snapshot_commands.hpp"

namespace dbkeep::source::snapshot {
namespace {

Result<void> undo_mount(const core::JournalEntry& entry, core::CommandRunner& runner,
                        const RetryPolicy& retry) {
  TRY_ASSIGN(bool mounted, is_mounted(runner, entry.target));
  if (mounted) {
    log::info("unmounting " + entry.target + ", left mounted by an earlier run");
    TRY(unmount_path(runner, entry.target, retry));
  }
  return {};
}

Result<void> undo_snapshot(const core::JournalEntry& entry, core::CommandRunner& runner,
                           const RetryPolicy& retry) {
  TRY(parse_provider_kind(entry.provider));
  TRY_ASSIGN(auto probe, runner.run(snapshot_existence_probe(entry)));
  if (probe.success()) {
    log::info("removing " + entry.provider + " snapshot " + entry.target +
              ", left by an earlier run");
    TRY(run_with_retries(runner, snapshot_removal_command(entry), retry));
  }
  return {};
}

}  // namespace

Result<void> recover_leftovers(core::ResourceJournal& journal, core::CommandRunner& runner,
                               const RetryPolicy& retry) {
  std::optional<Error> first_failure;
  // Copy: undoing an entry changes the journal. Mounts first, newest first within each kind.
  const std::vector<core::JournalEntry> entries(journal.entries().rbegin(),
                                                journal.entries().rend());
  for (std::string_view kind : {"mount", "snapshot"}) {
    for (const auto& entry : entries) {
      if (entry.kind != kind) continue;
      auto undone =
          kind == "mount" ? undo_mount(entry, runner, retry) : undo_snapshot(entry, runner, retry);
      if (undone) {
        forget_undone(journal, entry);
      } else {
        log::error("could not undo leftover " + entry.kind + " " + entry.target + ": " +
                   undone.error().message);
        if (!first_failure) first_failure = undone.error();
      }
    }
  }
  if (first_failure) {
    return propagate(first_failure->with_context("cleaning up after an earlier run (see " +
                                                 journal.file().string() + ")"));
  }
  return {};
}

}  // namespace dbkeep::source::snapshot
