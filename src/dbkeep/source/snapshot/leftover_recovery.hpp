#pragma once
// Undoes what a killed run left behind, from its resource journal: every journalled mount is
// unmounted first, then every journalled snapshot removed — the only order in which an LVM
// snapshot can go. Resources that are already gone are forgotten quietly. Call it at the start
// of a run, with the set's lock held, before taking a new snapshot.

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/core/resource_journal.hpp"
#include "dbkeep/source/snapshot/snapshot_provider.hpp"

namespace dbkeep::source::snapshot {

// Undoes each mount and snapshot entry (entries of other kinds are left for their owners).
// Keeps going after a failure so as much as possible is cleaned; returns the first failure, and
// the failed entries stay in the journal.
Result<void> recover_leftovers(core::ResourceJournal& journal, core::CommandRunner& runner,
                               const RetryPolicy& retry = {});

}  // namespace dbkeep::source::snapshot
