#include "dbkeep/restore/logical/chunk_loader.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "dbkeep/core/log.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::restore::logical {
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
constexpr unsigned kLockDeadlock = 1213;    // ER_LOCK_DEADLOCK
constexpr int kAttemptsPerChunk = 5;

// InnoDB may pick one of two loaders inserting into neighbouring key ranges of one table as a
// deadlock victim. It then rolls that whole transaction back and asks for a retry; a chunk is one
// transaction, so loading it again loads exactly the same rows. Only a deadlock is retried: a
// lock wait timeout undoes just the statement, and on a non-transactional engine (MyISAM, Aria)
// the chunk's earlier rows would stay and be loaded twice.
bool worth_retrying(unsigned error_number) {
  return error_number == kLockDeadlock;
}

enum class ChunkOutcome { loaded, retry };

Result<ChunkOutcome> load_chunk_once(storage::Backend& backend, Connection& connection,
                                     const ChunkLoad& chunk, LoadProgress* progress, int attempt) {
  const bool last_attempt = attempt == kAttemptsPerChunk;
  const std::string& path = chunk.file->stored.path;
  if (progress != nullptr) {
    TRY(progress->record("begin", path));
  }
  TRY(connection.execute("START TRANSACTION"));
  LineStatementSink sink(connection);
  auto loaded = pipeline::fetch_stream(backend, chunk.file->stored, sink);
  if (!loaded) {
    const unsigned error_number = connection.last_error_number();
    (void)connection.execute("ROLLBACK");
    if (chunk.in_doubt && error_number == kDuplicateEntry && progress != nullptr) {
      // Its rows are there already: it committed just before the interruption.
      log::info("chunk " + path + " was loaded before the interruption; not loading it again");
      TRY(progress->record("chunk", path));
      return ChunkOutcome::loaded;
    }
    if (worth_retrying(error_number) && !last_attempt) {
      log::warn("loading " + path + ": InnoDB rolled the chunk back as a deadlock victim; " +
                "loading it again (attempt " + std::to_string(attempt + 1) + " of " +
                std::to_string(kAttemptsPerChunk) + ")");
      return ChunkOutcome::retry;
    }
    return propagate(loaded.error().with_context("loading " + path));
  }
  TRY(connection.execute("COMMIT"));
  if (progress != nullptr) {
    TRY(progress->record("chunk", path));
  }
  return ChunkOutcome::loaded;
}

Result<void> load_chunk(storage::Backend& backend, Connection& connection, const ChunkLoad& chunk,
                        LoadProgress* progress) {
  TRY(connection.execute("USE " + source::mysql::logical::quote_identifier(chunk.target_schema)));
  for (int attempt = 1;; ++attempt) {
    ChunkOutcome outcome{};
    TRY_ASSIGN(outcome, load_chunk_once(backend, connection, chunk, progress, attempt));
    if (outcome == ChunkOutcome::loaded) return {};
    // Let the transaction that won the lock finish before trying again.
    std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
  }
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

}  // namespace dbkeep::restore::logical
