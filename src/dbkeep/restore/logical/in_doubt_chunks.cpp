#include "dbkeep/restore/logical/in_doubt_chunks.hpp"

#include <map>
#include <utility>

#include "dbkeep/core/log.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::restore::logical {
namespace {

using source::mysql::Connection;
using source::mysql::logical::quote_identifier;

// Settles the chunks of one table, appending the ones to load to `out`.
Result<void> settle_table(Connection& control, std::vector<ChunkLoad>& group,
                          LoadProgress& progress, std::vector<ChunkLoad>& out) {
  bool any_in_doubt = false;
  for (const auto& chunk : group) any_in_doubt |= progress.in_doubt(chunk.file->stored.path);
  if (!any_in_doubt) {
    for (auto& chunk : group) {
      if (!progress.done("chunk", chunk.file->stored.path)) out.push_back(std::move(chunk));
    }
    return {};
  }
  const std::string& schema = group.front().target_schema;
  const std::string& table = group.front().table;
  const std::string name = quote_identifier(schema) + "." + quote_identifier(table);
  TRY_ASSIGN(auto engine,
             control.query_single_value(
                 "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" +
                 control.escape_string(schema) + "' AND TABLE_NAME = '" +
                 control.escape_string(table) + "'"));
  if (engine.value_or("") != "InnoDB") {
    log::info(name + " (" + engine.value_or("?") +
              ", no rollback) was being loaded when the load stopped: emptying it and loading "
              "all its chunks again");
    for (const auto& chunk : group) {
      TRY(progress.record("begin", chunk.file->stored.path));
    }
    TRY(control.execute("TRUNCATE TABLE " + name));
    for (auto& chunk : group) out.push_back(std::move(chunk));
    return {};
  }
  if (group.size() == 1) {
    auto& chunk = group.front();
    TRY_ASSIGN(auto row, control.query_single_value("SELECT 1 FROM " + name + " LIMIT 1"));
    if (row) {
      log::info("chunk " + chunk.file->stored.path +
                " was loaded before the interruption; not loading it again");
      return progress.record("chunk", chunk.file->stored.path);
    }
    out.push_back(std::move(chunk));
    return {};
  }
  for (auto& chunk : group) {
    if (progress.done("chunk", chunk.file->stored.path)) continue;
    chunk.in_doubt = progress.in_doubt(chunk.file->stored.path);
    out.push_back(std::move(chunk));
  }
  return {};
}

}  // namespace

Result<std::vector<ChunkLoad>> chunks_to_resume(Connection& control, std::vector<ChunkLoad> chunks,
                                                LoadProgress& progress) {
  std::map<std::pair<std::string, std::string>, std::vector<ChunkLoad>> tables;
  for (auto& chunk : chunks) {
    tables[{chunk.target_schema, chunk.table}].push_back(std::move(chunk));
  }
  std::vector<ChunkLoad> out;
  for (auto& [key, group] : tables) {
    TRY(settle_table(control, group, progress, out));
  }
  return out;
}

}  // namespace dbkeep::restore::logical
