#include "dbkeep/source/mysql/logical/chunk_dump.hpp"

#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "dbkeep/pipeline/counting_source.hpp"
#include "dbkeep/pipeline/read_ahead.hpp"
#include "dbkeep/source/mysql/logical/chunk_source.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"
#include "dbkeep/source/mysql/row_stream.hpp"

namespace dbkeep::source::mysql::logical {

std::string chunk_path(const Chunk& chunk) {
  char number[16];
  std::snprintf(number, sizeof number, "%05d", chunk.number);
  return file_component(chunk.table->schema) + "/" + file_component(chunk.table->name) + "." +
         number + ".sql";
}

Result<std::uint64_t> dump_chunk(Connection& connection, const Chunk& chunk,
                                 repo::BackupSession& session, std::uint64_t* bytes) {
  const TableInfo& table = *chunk.table;
  std::string columns;
  for (const auto& column : table.select_list) columns += (columns.empty() ? "" : ",") + column;
  std::string sql = "SELECT " + columns + " FROM " + quote_identifier(table.schema) + "." +
                    quote_identifier(table.name);
  if (!chunk.where.empty()) sql += " WHERE " + chunk.where;

  auto dumped = [&]() -> Result<std::uint64_t> {
    TRY_ASSIGN(auto rows, RowStream::open(connection, sql));
    ChunkSqlSource source(rows, table.name, kStatementBytes);
    const std::string path = chunk_path(chunk);
    // Rows are fetched and formatted on a second thread while this one hashes and compresses.
    pipeline::ReadAheadSource ahead(source);
    std::uint64_t written = 0;
    pipeline::CountingSource counted(ahead, [&](std::uint64_t n) { written += n; });
    TRY(session.store_stream(counted, path,
                             {{"kind", "table-data"},
                              {"schema", table.schema},
                              {"table", table.name},
                              {"chunk", chunk.number}}));
    session.annotate(path, {{"rows", source.rows()}});
    if (bytes != nullptr) *bytes = written;
    return source.rows();
  }();
  if (!dumped) {
    return propagate(dumped.error().with_context("dumping `" + table.schema + "`.`" + table.name +
                                                 "` chunk " + std::to_string(chunk.number)));
  }
  return dumped;
}

Result<std::uint64_t> dump_chunks_parallel(std::vector<Connection>& workers, ChunkQueue& queue,
                                           repo::BackupSession& session) {
  std::atomic<std::uint64_t> rows{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::optional<Error> first_error;

  auto work = [&](Connection& connection) {
    while (!stop.load()) {
      auto chunk = queue.next();
      if (!chunk) return;
      std::uint64_t bytes = 0;
      auto dumped = dump_chunk(connection, *chunk, session, &bytes);
      if (!dumped) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = dumped.error();
        stop = true;
        return;
      }
      queue.finished(*chunk, bytes);
      rows += *dumped;
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (auto& connection : workers) threads.emplace_back(work, std::ref(connection));
  for (auto& thread : threads) thread.join();
  if (first_error) return propagate(*first_error);
  return rows.load();
}

}  // namespace dbkeep::source::mysql::logical
