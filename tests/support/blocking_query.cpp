#include "support/blocking_query.hpp"

#include <chrono>

namespace dbkeep::test {

Result<std::unique_ptr<BlockingQuery>> BlockingQuery::start(const MariaDbServer& server,
                                                            const std::string& sql) {
  std::unique_ptr<BlockingQuery> query(new BlockingQuery(server));
  TRY_ASSIGN(auto connection, server.connect_root());
  query->thread_id_ = connection.thread_id();
  query->thread_ = std::thread([self = query.get(), sql, c = std::move(connection)]() mutable {
    self->result_ = c.execute(sql);
  });
  TRY_ASSIGN(auto watcher, server.connect_root());
  const std::string probe = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " +
                            std::to_string(query->thread_id_) + " AND INFO IS NOT NULL";
  for (int i = 0; i < 200; ++i) {
    TRY_ASSIGN(auto running, watcher.query_single_value(probe));
    if (running == "1") return query;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return fail("background statement did not start: " + sql);
}

Result<void> BlockingQuery::finish() {
  if (thread_.joinable()) thread_.join();
  return result_.value_or(Result<void>());
}

BlockingQuery::~BlockingQuery() {
  if (!thread_.joinable()) return;
  if (auto killer = server_.connect_root()) {
    (void)killer->execute("KILL QUERY " + std::to_string(thread_id_));
  }
  thread_.join();
}

}  // namespace dbkeep::test
