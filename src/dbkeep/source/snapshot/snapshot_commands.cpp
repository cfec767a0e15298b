#include "dbkeep/source/snapshot/snapshot_commands.hpp"

#include <thread>

#include "dbkeep/core/log.hpp"

namespace dbkeep::source::snapshot {

Result<core::CommandResult> run_with_retries(core::CommandRunner& runner,
                                             const core::Command& command,
                                             const RetryPolicy& retry) {
  const int attempts = std::max(1, retry.attempts);
  std::string last_failure;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    log::debug("running: " + command.display());
    auto result = runner.run(command);
    if (result && result->success()) return result;
    last_failure = result ? result->describe_failure() : result.error().message;
    if (attempt < attempts) {
      log::warn(command.display() + " failed (" + last_failure + "); retrying in " +
                std::to_string(retry.pause.count()) + " ms (attempt " + std::to_string(attempt) +
                " of " + std::to_string(attempts) + ")");
      std::this_thread::sleep_for(retry.pause);
    }
  }
  return fail(command.display() + " failed " + std::to_string(attempts) +
              " times; last: " + last_failure);
}

Result<void> unmount_path(core::CommandRunner& runner, const std::filesystem::path& path,
                          const RetryPolicy& retry) {
  TRY(run_with_retries(runner, core::Command{.argv = {"umount", path.string()}}, retry));
  return {};
}

Result<bool> is_mounted(core::CommandRunner& runner, const std::filesystem::path& path) {
  TRY_ASSIGN(auto result, runner.run(core::Command{.argv = {"mountpoint", "-q", path.string()}}));
  return result.success();
}

core::JournalEntry mount_entry(const std::filesystem::path& path) {
  return core::JournalEntry{.kind = "mount", .target = path.string()};
}

core::JournalEntry snapshot_entry(ProviderKind provider, std::string target, bool recursive) {
  return core::JournalEntry{.kind = "snapshot",
                            .provider = std::string(to_string(provider)),
                            .target = std::move(target),
                            .recursive = recursive};
}

Result<void> PendingCreation::arm(core::ResourceJournal& journal,
                                  std::vector<core::JournalEntry> entries, core::Command command) {
  disarm(journal);  // a second prepare() replaces the first
  entries_ = std::move(entries);
  command_ = std::move(command);
  armed_ = true;  // before recording, so a partly written journal is disarmed too
  for (const auto& entry : entries_) TRY(journal.record(entry));
  return {};
}

Result<void> PendingCreation::run(core::CommandRunner& runner, core::ResourceJournal& journal,
                                  bool& needs_undo) {
  if (!armed_) return fail("snapshot creation run before prepare()");
  armed_ = false;
  auto result = runner.run(command_);
  if (result && result->success()) {
    needs_undo = true;
    return {};
  }
  if (result && !result->timed_out) {
    for (const auto& entry : entries_) forget_undone(journal, entry);
  } else {
    needs_undo = true;
  }
  return fail(command_.display() +
              " failed: " + (result ? result->describe_failure() : result.error().message));
}

void PendingCreation::disarm(core::ResourceJournal& journal) {
  if (!armed_) return;
  armed_ = false;
  for (const auto& entry : entries_) forget_undone(journal, entry);
}

// The journal stores the provider by name; leftover recovery has checked it is a known one.
ProviderKind journal_provider(const core::JournalEntry& entry) {
  return core::parse_snapshot_provider(entry.provider).value_or(ProviderKind::kZfs);
}

core::Command snapshot_removal_command(const core::JournalEntry& entry) {
  switch (journal_provider(entry)) {
    case ProviderKind::kLvm:
      return c_locale_command({"lvremove", "-f", entry.target});
    case ProviderKind::kBtrfs:
      return core::Command{.argv = {"btrfs", "subvolume", "delete", entry.target}};
    case ProviderKind::kZfs:
      break;
  }
  if (entry.recursive) return core::Command{.argv = {"zfs", "destroy", "-r", entry.target}};
  return core::Command{.argv = {"zfs", "destroy", entry.target}};
}

core::Command snapshot_existence_probe(const core::JournalEntry& entry) {
  switch (journal_provider(entry)) {
    case ProviderKind::kLvm:
      return c_locale_command({"lvs", "--noheadings", "-o", "lv_name", entry.target});
    case ProviderKind::kBtrfs:
      return core::Command{.argv = {"btrfs", "subvolume", "show", entry.target}};
    case ProviderKind::kZfs:
      break;
  }
  return core::Command{.argv = {"zfs", "list", "-H", "-o", "name", "-t", "snapshot", entry.target}};
}

void forget_undone(core::ResourceJournal& journal, const core::JournalEntry& entry) {
  if (auto forgotten = journal.forget(entry); !forgotten) {
    log::warn("could not update " + journal.file().string() + " after undoing " + entry.kind + " " +
              entry.target + ": " + forgotten.error().message);
  }
}

core::Command c_locale_command(std::vector<std::string> argv) {
  return core::Command{.argv = std::move(argv), .extra_env = {{"LC_ALL", "C"}}};
}

}  // namespace dbkeep::source::snapshot
