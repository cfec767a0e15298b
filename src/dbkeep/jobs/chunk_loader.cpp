#include "dbkeep/jobs/chunk_loader.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "dbkeep/core/log.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::jobs {
namespace {

using source::mysql::Connection;

// Runs each complete line it receives as one statement.
class LineStatementSink final : public pipeline::ByteSink {
 public:
  explicit LineStatementSink(Connection& connection) : connection_(connection) {}

  Result<void> write(std::span<const std::byte> data) override {
    buffer_.append(reinterpret_cast<const char*>(data.data()), data.size());
    std::size_t start = 0;
    for (std::size_t end; (end = buffer_.find('\n', start)) != std::string::npos; start = end + 1) {
      TRY(run(std::string_view(buffer_).substr(start, end - start)));
    }
    buffer_.erase(0, start);
    return {};
  }

  Result<void> finish() override {
    TRY(run(buffer_));
    buffer_.clear();
    return {};
  }

 private:
  Result<void> run(std::string_view line) {
    if (line.empty()) return {};
    if (line.back() != ';') {
      return fail("a data chunk line is not one complete statement (not a dbkeep data file?)");
    }
    return connection_.execute(line);
  }

  Connection& connection_;
  std::string buffer_;
};

constexpr unsigned kDuplicateEntry = 1062;  // ER_DUP_ENTRY

Result<void> load_chunk(storage::Backend& backend, Connection& connection, const ChunkLoad& chunk,
                        LoadProgress* progress) {
  const std::string& path = chunk.file->stored.path;
  TRY(connection.execute("USE " + source::mysql::logical::quote_identifier(chunk.target_schema)));
  if (progress != nullptr) {
    TRY(progress->record("begin", path));
  }
  TRY(connection.execute("START TRANSACTION"));
  LineStatementSink sink(connection);
  auto loaded = pipeline::fetch_stream(backend, chunk.file->stored, sink);
  if (!loaded) {
    const bool duplicate = connection.last_error_number() == kDuplicateEntry;
    (void)connection.execute("ROLLBACK");
    if (!(chunk.in_doubt && duplicate && progress != nullptr)) {
      return propagate(loaded.error().with_context("loading " + path));
    }
    // Its rows are there already: it committed just before the interruption.
    log::info("chunk " + path + " was loaded before the interruption; not loading it again");
    return progress->record("chunk", path);
  }
  TRY(connection.execute("COMMIT"));
  if (progress != nullptr) {
    TRY(progress->record("chunk", path));
  }
  return {};
}

}  // namespace

Result<void> prepare_load_session(Connection& connection, bool skip_binlog) {
  TRY(
      connection.execute("SET SESSION TIME_ZONE='+00:00', sql_mode='NO_AUTO_VALUE_ON_ZERO', "
                         "FOREIGN_KEY_CHECKS=0, UNIQUE_CHECKS=0"));
  if (skip_binlog) TRY(connection.execute("SET SESSION SQL_LOG_BIN=0"));
  return {};
}

Result<void> run_parallel(std::vector<Connection>& connections, std::size_t count,
                          const std::function<Result<void>(Connection&, std::size_t)>& task) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto work = [&](Connection& connection) {
    while (!stop.load()) {
      const std::size_t index = next.fetch_add(1);
      if (index >= count) return;
      if (auto done = task(connection, index); !done) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = done.error();
        stop = true;
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (auto& connection : connections) threads.emplace_back(work, std::ref(connection));
  for (auto& thread : threads) thread.join();
  if (first_error) return propagate(*first_error);
  return {};
}

Result<void> load_chunks_parallel(storage::Backend& backend, std::vector<Connection>& connections,
                                  const std::vector<ChunkLoad>& chunks, LoadProgress* progress) {
  return run_parallel(connections, chunks.size(), [&](Connection& connection, std::size_t i) {
    return load_chunk(backend, connection, chunks[i], progress);
  });
}

}  // namespace dbkeep::jobs
