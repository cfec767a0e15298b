#pragma once
// Backup ids: the UTC start time as YYYYMMDD_HHMMSS, with "_2", "_3"… appended when a backup of
// the same set already started in that second. Ids do NOT sort in time order as strings
// ("_10" < "_9"): order them with backup_id_less, the one comparison every sort uses.

#include <functional>
#include <string>
#include <string_view>

#include "dbkeep/core/time_format.hpp"

namespace dbkeep::repo {

// `taken` answers whether an id is already used (complete or not) in the set.
std::string make_backup_id(core::Seconds started_at,
                           const std::function<bool(const std::string&)>& taken);
bool is_backup_id(std::string_view text);
// Start order of two ids: by the time part, then by the suffix as a number (none = 1). Ids that
// are not well formed compare as strings, after nothing in particular; callers filter them.
bool backup_id_less(std::string_view a, std::string_view b);

}  // namespace dbkeep::repo
