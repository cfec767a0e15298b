#pragma once
// Backup ids: the UTC start time as YYYYMMDD_HHMMSS, with "_2", "_3"… appended when a backup of
// the same set already started in that second. Ids sort in time order as strings.

#include <functional>
#include <string>
#include <string_view>

#include "dbkeep/core/time_format.hpp"

namespace dbkeep::repo {

// `taken` answers whether an id is already used (complete or not) in the set.
std::string make_backup_id(core::Seconds started_at,
                           const std::function<bool(const std::string&)>& taken);
bool is_backup_id(std::string_view text);

}  // namespace dbkeep::repo
