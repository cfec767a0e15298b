#pragma once
// The tables a MySQL backup holds, as `show --tables`, selective restores and the dashboard
// read them. Every MySQL source records the server's view at backup time in facts["tables"]
// (schema, table, engine, estimated rows, data + index bytes) through record_tables(); backups
// taken before that are read from what their files say:
//   logical:  the table-schema files, with the exact rows of their data chunks;
//   snapshot: the datadir's table files (<schema>/<table>.ibd, .frm, .MYD, .MYI, partitions
//             <table>#P#<p>.ibd), sized by their bytes, no row estimate;
//   physical: nothing (one stream): an empty list.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/repo/manifest.hpp"

namespace dbkeep::repo {

struct TableEntry {
  std::string schema;
  std::string table;
  std::string engine;                  // empty when unknown
  std::optional<std::uint64_t> rows;   // the server's estimate, or the dump's exact count
  bool rows_exact = false;             // rows counted by a logical dump
  std::optional<std::uint64_t> bytes;  // data + index on the server (or the files' bytes)
  bool operator==(const TableEntry&) const = default;
};

// facts["tables"] = [{schema, table, engine, rows, bytes}, …] in the order given.
void record_tables(nlohmann::json& facts, const std::vector<TableEntry>& tables);

// What the backup holds, sorted by schema and table (see above for older backups).
std::vector<TableEntry> backup_tables(const Manifest& manifest);

}  // namespace dbkeep::repo
