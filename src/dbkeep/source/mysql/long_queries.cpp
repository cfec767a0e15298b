#include "dbkeep/source/mysql/long_queries.hpp"

#include <charconv>

namespace dbkeep::source::mysql {
namespace {

template <typename Number>
Number to_number(const std::optional<std::string>& text) {
  Number value = 0;
  if (text) std::from_chars(text->data(), text->data() + text->size(), value);
  return value;
}

}  // namespace

std::string RunningQuery::describe() const {
  return "id " + std::to_string(id) + " (user " + user + ", " + std::to_string(seconds) +
         " s): " + text;
}

std::string describe_all(const std::vector<RunningQuery>& queries) {
  std::string out;
  for (const auto& query : queries) out += (out.empty() ? "" : "; ") + query.describe();
  return out;
}

Result<std::vector<RunningQuery>> find_running_queries(Connection& connection,
                                                       std::chrono::seconds threshold,
                                                       const std::vector<unsigned long>& ignore) {
  std::string ignored_ids = std::to_string(connection.thread_id());
  for (auto id : ignore) ignored_ids += ", " + std::to_string(id);
  // 'Connect' and 'Slave_*' are replication threads, 'Daemon' and 'system user' the server's
  // own; none of them is something the user should wait for or kill.
  TRY_ASSIGN(auto result,
             connection.query(
                 "SELECT ID, USER, TIME, LEFT(REPLACE(INFO, '\\n', ' '), 100) "
                 "FROM information_schema.PROCESSLIST "
                 "WHERE INFO IS NOT NULL AND TIME >= " +
                 std::to_string(threshold.count()) +
                 " AND COMMAND NOT IN ('Sleep', 'Daemon', 'Connect', 'Killed', 'Binlog Dump', "
                 "'Binlog Dump GTID', 'Slave_IO', 'Slave_SQL', 'Slave_worker') "
                 "AND USER NOT IN ('system user', 'event_scheduler') "
                 "AND ID NOT IN (" +
                 ignored_ids + ") ORDER BY TIME DESC"));
  std::vector<RunningQuery> queries;
  for (const auto& row : result.rows) {
    queries.push_back(RunningQuery{to_number<unsigned long>(row[0]), row[1].value_or(""),
                                   to_number<std::uint64_t>(row[2]), row[3].value_or("")});
  }
  return queries;
}

}  // namespace dbkeep::source::mysql
