#pragma once
// What `check-config` asks a MySQL server before binlog archiving can work or be trusted
// (docs/pitr.md, "Setting it up"): binary logging on, a server_id the archiver's own does not
// clash with, and ROW/FULL logging (anything else is a note: statements replayed later may not
// reproduce what the server did). The archiving user's grants are checked with the backup
// user's (source/mysql/privileges).

#include <string>
#include <vector>

#include "dbkeep/core/config.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::archive {

struct PreflightCheck {
  std::string what;
  std::string problem;  // empty when fine
  std::string note;     // said when fine
};

std::vector<PreflightCheck> check_archive_source(source::mysql::Connection& connection,
                                                 const core::SetConfig& set);

}  // namespace dbkeep::archive
