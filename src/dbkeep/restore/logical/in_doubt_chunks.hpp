#pragma once
// Before a resumed load: which data chunks still need loading. Chunks the progress file records
// as committed are skipped. A chunk "in doubt" (its transaction began but its commit was not
// recorded: killed in flight, or between COMMIT and the record) is settled per table:
//
//   InnoDB, the table's only chunk: it committed iff the table has a row (nothing else loads
//     into it), so it is recorded as done or loaded again.
//   InnoDB, one of several chunks (only tables with an integer primary key are split): loaded
//     again with `in_doubt` set; if it had committed, its first row is a duplicate primary key,
//     and the loader rolls back and records it instead of failing.
//   any other engine (MyISAM, Aria: no rollback, a killed chunk may have left part of its rows):
//     every chunk of the table is put in doubt in the progress file, the table is truncated, and
//     all its chunks load again. Recording before truncating keeps this safe if killed again.

#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/restore/logical/chunk_loader.hpp"
#include "dbkeep/restore/logical/load_progress.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::restore::logical {

Result<std::vector<ChunkLoad>> chunks_to_resume(source::mysql::Connection& control,
                                                std::vector<ChunkLoad> chunks,
                                                LoadProgress& progress);

}  // namespace dbkeep::restore::logical
