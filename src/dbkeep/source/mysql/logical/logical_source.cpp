#include "dbkeep/source/mysql/logical/logical_source.hpp"

#include <algorithm>
#include <cstring>
#include <thread>

#include "dbkeep/core/log.hpp"
#include "dbkeep/repo/table_inventory.hpp"
#include "dbkeep/source/mysql/logical/catalog.hpp"
#include "dbkeep/source/mysql/logical/chunk_dump.hpp"
#include "dbkeep/source/mysql/logical/object_dump.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"
#include "dbkeep/source/mysql/logical/user_dump.hpp"
#include "dbkeep/source/mysql/quiesce.hpp"

namespace dbkeep::source::mysql::logical {
namespace {

// A string as a ByteSource, for the small DDL files.
class StringSource final : public pipeline::ByteSource {
 public:
  explicit StringSource(std::string text) : text_(std::move(text)) {}
  Result<std::size_t> read(std::span<std::byte> buffer) override {
    std::size_t take = std::min(buffer.size(), text_.size() - offset_);
    std::memcpy(buffer.data(), text_.data() + offset_, take);
    offset_ += take;
    return take;
  }

 private:
  std::string text_;
  std::size_t offset_ = 0;
};

Result<void> store_text(repo::BackupSession& session, std::string text, const std::string& path,
                        nlohmann::json attributes) {
  StringSource source(std::move(text));
  return session.store_stream(source, path, std::move(attributes));
}

TableFilter filter_of(const core::LogicalConfig& logical) {
  return TableFilter{logical.include, logical.exclude};
}

// Every dump connection reads TIMESTAMPs in UTC, as the data files say they are, and every value
// as stored, without converting it to the connection's character set (the data files say
// `SET NAMES binary`; metadata is utf8 on the server, so it reads the same either way).
Result<Connection> open_dump_connection(const ConnectionOptions& options) {
  TRY_ASSIGN(auto connection, Connection::connect(options));
  TRY(connection.execute("SET SESSION TIME_ZONE='+00:00', character_set_results = NULL"));
  TRY(connection.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  // Long chunk reads must not be cut off by the server's idle timers.
  TRY(connection.execute("SET SESSION net_write_timeout = 3600, wait_timeout = 86400"));
  return connection;
}

// What is dumped under the lock window, and what the window recorded.
struct Window {
  repo::LockWindow lock;
  ReplicationPosition position;
};

// Starts every worker's snapshot inside one global lock (or, with lock = "none", checks that
// the binlog position did not move while they started); dumps `locked_chunks` before releasing.
Result<Window> open_snapshots(Connection& control, std::vector<Connection>& workers,
                              LockMode lock_mode, const std::vector<Chunk>& locked,
                              repo::BackupSession& session) {
  QuiesceOptions options;
  options.lock_mode = lock_mode;
  TRY_ASSIGN(auto lock, quiesce(control, options));
  std::optional<ReplicationPosition> before;
  if (options.lock_mode == LockMode::kNone) {
    TRY_ASSIGN(before, lock.record_position());
  }
  for (auto& worker : workers) TRY(worker.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"));
  Window window;
  TRY_ASSIGN(window.position, lock.record_position());
  if (before && (before->binlog_file != window.position.binlog_file ||
                 before->binlog_position != window.position.binlog_position ||
                 before->gtid_binlog_pos != window.position.gtid_binlog_pos)) {
    return fail(
        "lock = \"none\": the server wrote to its binary log while the dump's snapshots "
        "were being opened (" +
        before->binlog_file + ":" + std::to_string(before->binlog_position) + " -> " +
        window.position.binlog_file + ":" + std::to_string(window.position.binlog_position) +
        "), so they may disagree; use lock = \"ftwrl\" or retry when the server is idle");
  }
  for (const auto& chunk : locked) {
    TRY(dump_chunk(control, chunk, session));
  }
  TRY(lock.release());
  window.lock = {lock.mode(), lock.held_ms(), lock.held_time().count()};
  return window;
}

Result<void> check_non_transactional(const Catalog& catalog, core::NonTransactional policy,
                                     nlohmann::json& facts) {
  std::vector<std::string> names;
  for (const auto& table : catalog.tables) {
    if (!table.transactional)
      names.push_back(table.schema + "." + table.name + " (" + table.engine + ")");
  }
  if (names.empty()) return {};
  std::string list;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
  if (policy == core::NonTransactional::kFail) {
    return fail(
        "non-transactional tables cannot be dumped consistently without holding the "
        "lock: " +
        list + "; set non_transactional = \"lock\" or \"warn\", or exclude them");
  }
  if (policy == core::NonTransactional::kWarn) {
    log::warn(
        "these tables are not transactional and are dumped outside the snapshot, so they "
        "may not be consistent with the rest: " +
        list);
    facts["inconsistent_tables"] = names;
  }
  return {};
}

}  // namespace

LogicalSource::LogicalSource(core::MysqlConfig mysql, core::LogicalConfig logical)
    : mysql_(std::move(mysql)), logical_(std::move(logical)) {}

Result<SizeEstimate> LogicalSource::estimate() {
  TRY_ASSIGN(auto connection, Connection::connect(connection_options(mysql_)));
  TRY_ASSIGN(auto catalog, read_catalog(connection, filter_of(logical_)));
  SizeEstimate estimate;
  for (const auto& table : catalog.tables) estimate.source_bytes += table.data_bytes;
  return estimate;
}

Result<void> LogicalSource::run(repo::BackupSession& session) {
  const ConnectionOptions options = connection_options(mysql_);
  const TableFilter filter = filter_of(logical_);
  TRY_ASSIGN(auto control, open_dump_connection(options));
  TRY_ASSIGN(auto catalog, read_catalog(control, filter));
  auto& facts = session.facts();
  TRY(check_non_transactional(catalog, logical_.non_transactional, facts));

  // Plan: key ranges cut as the dump goes (chunk_queue.hpp); tables to dump under the lock
  // planned apart, up front.
  std::vector<Chunk> locked;
  ChunkQueue queue(logical_.chunk_size);
  for (const auto& table : catalog.tables) {
    if (!table.transactional && logical_.non_transactional == core::NonTransactional::kLock) {
      TRY_ASSIGN(auto planned, plan_chunks(control, table, logical_.chunk_size));
      locked.insert(locked.end(), planned.begin(), planned.end());
    } else if (table.data_bytes > logical_.chunk_size) {
      TRY_ASSIGN(auto bounds, read_key_bounds(control, table));
      if (bounds) {
        queue.add_ranges(table, *bounds);
      } else {
        queue.add_whole(table);
      }
    } else {
      queue.add_whole(table);
    }
    if (table.chunk_key.empty() && table.data_bytes > logical_.chunk_size) {
      log::warn("`" + table.schema + "`.`" + table.name +
                "` has no integer primary key: dumped as one stream by one worker");
    }
  }

  for (const auto& schema : catalog.schemas) {
    std::string text = "CREATE DATABASE IF NOT EXISTS " + quote_identifier(schema.name) +
                       " CHARACTER SET " + schema.charset + " COLLATE " + schema.collation + ";\n";
    TRY(store_text(session, text, file_component(schema.name) + "/schema-create.sql",
                   {{"kind", "schema"},
                    {"schema", schema.name},
                    {"charset", schema.charset},
                    {"collation", schema.collation}}));
  }
  for (const auto& table : catalog.tables) {
    TRY_ASSIGN(auto definition, table_definition(control, table));
    TRY(store_text(session, definition,
                   file_component(table.schema) + "/" + file_component(table.name) + ".schema.sql",
                   {{"kind", "table-schema"}, {"schema", table.schema}, {"table", table.name}}));
  }

  const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const int wanted = logical_.workers > 0 ? logical_.workers : cores;
  const int count = std::max(1, std::min<int>(wanted, static_cast<int>(queue.estimated_chunks())));
  std::vector<Connection> workers;
  for (int i = 0; i < count; ++i) {
    TRY_ASSIGN(auto worker, open_dump_connection(options));
    workers.push_back(std::move(worker));
  }

  TRY_ASSIGN(auto window, open_snapshots(control, workers, logical_.lock, locked, session));
  log::info("logical dump: " + std::to_string(catalog.tables.size()) + " tables, about " +
            std::to_string(queue.estimated_chunks() + locked.size()) + " chunks, " +
            std::to_string(workers.size()) + " workers; lock held " +
            std::to_string(window.lock.held_ms) + " ms");
  TRY_ASSIGN(auto rows, dump_chunks_parallel(workers, queue, session));
  log::info("logical dump: " + std::to_string(queue.handed_out() + locked.size()) +
            " chunks written");

  for (const auto& schema : catalog.schemas) {
    TRY_ASSIGN(auto objects, schema_objects(control, schema.name, filter, logical_.strip_definers));
    if (!objects.empty()) {
      TRY(store_text(session, objects, file_component(schema.name) + "/objects.sql",
                     {{"kind", "objects"},
                      {"schema", schema.name},
                      {"triggers", std::string(kTriggersPerTable)}}));
    }
    TRY_ASSIGN(auto triggers,
               schema_triggers(control, schema.name, filter, logical_.strip_definers));
    for (auto& table : triggers) {
      TRY(store_text(
          session, std::move(table.script),
          file_component(schema.name) + "/" + file_component(table.table) + ".triggers.sql",
          {{"kind", "table-triggers"}, {"schema", schema.name}, {"table", table.table}}));
    }
  }

  if (logical_.include_users) {
    TRY_ASSIGN(auto users, dump_users(control));
    nlohmann::json accounts = nlohmann::json::array();
    for (const auto& [user, host] : users.accounts) accounts.push_back({user, host});
    TRY(store_text(session, std::move(users.script), "users.sql",
                   {{"kind", "users"}, {"accounts", accounts}, {"roles", users.roles}}));
    log::info("logical dump: " + std::to_string(users.accounts.size()) + " accounts, " +
              std::to_string(users.roles.size()) + " roles and their grants in users.sql");
  }

  TRY_ASSIGN(auto sql_mode, control.query_single_value("SELECT @@GLOBAL.sql_mode"));
  TRY_ASSIGN(auto version, control.query_single_value("SELECT @@version"));
  repo::record_lock_window(facts, window.lock);
  repo::record_binlog_position(facts, window.position);
  facts["workers"] = workers.size();
  facts["chunk_size"] = logical_.chunk_size;
  facts["rows"] = rows;
  facts["source_sql_mode"] = sql_mode.value_or("");
  facts["server_version"] = version.value_or("");
  std::vector<repo::TableEntry> tables;
  for (const auto& table : catalog.tables) {
    tables.push_back(
        {table.schema, table.name, table.engine, table.estimated_rows, false, table.data_bytes});
  }
  repo::record_tables(facts, tables);
  log::info("logical dump: " + std::to_string(rows) + " rows written");
  return {};
}

}  // namespace dbkeep::source::mysql::logical
