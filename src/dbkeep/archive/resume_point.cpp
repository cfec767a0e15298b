#include "dbkeep/archive/resume_point.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

namespace dbkeep::archive {
namespace {

struct MariadbGtid {
  std::uint64_t domain = 0, server = 0, sequence = 0;
};

std::optional<MariadbGtid> parse_mariadb_gtid(std::string_view text) {
  MariadbGtid gtid;
  std::uint64_t* fields[] = {&gtid.domain, &gtid.server, &gtid.sequence};
  const char* at = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, error] = std::from_chars(at, end, *fields[i]);
    if (error != std::errc{}) return std::nullopt;
    at = next;
    if (i < 2) {
      if (at == end || *at != '-') return std::nullopt;
      ++at;
    }
  }
  if (at != end) return std::nullopt;
  return gtid;
}

}  // namespace

std::string resume_problem(const ArchivedEnd& archived, const ServerHistory& server) {
  if (archived.server_id != 0 &&
      (archived.server_id != server.server_id || archived.server_uuid != server.server_uuid)) {
    return "the server is another one (server_id " + std::to_string(server.server_id) +
           (server.server_uuid.empty() ? "" : ", uuid " + server.server_uuid) +
           ") than the archived one (server_id " + std::to_string(archived.server_id) +
           (archived.server_uuid.empty() ? "" : ", uuid " + archived.server_uuid) + ")";
  }
  auto file = std::ranges::find_if(server.binlogs,
                                   [&](const auto& log) { return log.first == archived.end.file; });
  if (file == server.binlogs.end()) {
    return "the server no longer has " + archived.end.file + " (purged before it was archived)";
  }
  if (file->second < archived.end.position) {
    return "the server's " + archived.end.file + " is shorter (" + std::to_string(file->second) +
           " bytes) than what was archived of it (" + std::to_string(archived.end.position) +
           "): its binary logs were reset or the server was rebuilt";
  }
  // MariaDB: a GTID sequence behind the archive's means a history the archive does not follow.
  auto last = parse_mariadb_gtid(archived.last_gtid);
  if (!last || server.server_uuid.size() > 0) return "";
  std::string_view positions = server.gtid_binlog_pos;
  while (!positions.empty()) {
    auto comma = positions.find(',');
    auto one = positions.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    if (auto gtid = parse_mariadb_gtid(one); gtid && gtid->domain == last->domain) {
      if (gtid->sequence >= last->sequence) return "";
      break;
    }
    positions = comma == std::string_view::npos ? "" : positions.substr(comma + 1);
  }
  return "the server's GTID position (" +
         (server.gtid_binlog_pos.empty() ? std::string("empty") : server.gtid_binlog_pos) +
         ") is behind the archive's last transaction " + archived.last_gtid +
         ": its binary logs were reset or the server was rebuilt";
}

}  // namespace dbkeep::archive
