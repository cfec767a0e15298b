#pragma once
// Secondary indexes built after the data: a `SHOW CREATE TABLE` statement is split into the
// table without its plain secondary indexes (`KEY …`, `UNIQUE KEY …`) and one
// `ALTER TABLE … ADD KEY …, ADD KEY …` that builds them all at once after the load, which is
// much cheaper than maintaining them row by row.
//
// Kept in the CREATE (never deferred): PRIMARY KEY, FULLTEXT and SPATIAL keys (InnoDB builds
// only one FULLTEXT index per ALTER), every index of a table with foreign keys (a constraint
// needs its index), any index whose first column is the AUTO_INCREMENT column (the server
// refuses such a table without it), and the UNIQUE keys of a table without a PRIMARY KEY (InnoDB
// clusters on the first one; the dump may chunk by it, and a resumed load relies on it to find a
// chunk loaded twice).

#include <string>
#include <string_view>
#include <vector>

namespace dbkeep::restore::logical {

struct SplitCreateTable {
  std::string create;                 // the CREATE TABLE statement without the deferred keys
  std::vector<std::string> deferred;  // key definitions as SHOW CREATE TABLE wrote them
};

// A statement that is not a CREATE TABLE in SHOW CREATE TABLE's layout comes back unchanged.
SplitCreateTable split_secondary_indexes(std::string_view statement);

// The name of a deferred key definition (KEY `name` (…) → name); empty when it has none.
std::string deferred_key_name(std::string_view definition);

// "ALTER TABLE `t` ADD KEY …, ADD UNIQUE KEY …"; `table` is already quoted.
std::string add_indexes_statement(const std::string& table,
                                  const std::vector<std::string>& deferred);

}  // namespace dbkeep::restore::logical
