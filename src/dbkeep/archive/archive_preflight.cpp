#include "dbkeep/archive/archive_preflight.hpp"

namespace dbkeep::archive {
namespace {

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::vector<PreflightCheck> check_archive_source(source::mysql::Connection& connection,
                                                 const core::SetConfig& set) {
  const std::string what = "set '" + set.name + "' archive: ";
  std::vector<PreflightCheck> checks;
  auto variables =
      connection.query("SELECT @@log_bin, @@server_id, @@binlog_format, @@binlog_row_image");
  if (!variables || variables->rows.empty()) {
    checks.push_back({what + "binary log settings",
                      variables ? "the server returned no settings" : variables.error().message});
    return checks;
  }
  const auto& row = variables->rows.front();
  const auto value = [&](std::size_t i) { return row.size() > i ? row[i].value_or("") : ""; };

  checks.push_back({what + "binary logging on (log_bin)",
                    value(0) == "1" ? ""
                                    : "log_bin is off: start the server with log_bin (and a "
                                      "server_id) so there is a binary log to archive"});

  const std::string server_id = value(1);
  const std::string archiver_id = std::to_string(set.archive.server_id);
  PreflightCheck ids{what + "server_id " + server_id + ", archiver's " + archiver_id, ""};
  if (server_id == "0") {
    ids.problem = "the server's server_id is 0; give it a unique one";
  } else if (server_id == archiver_id) {
    ids.problem = "[set.archive] server_id equals the server's own; choose another";
  } else if (auto hosts = connection.query("SHOW SLAVE HOSTS"); hosts) {
    for (std::size_t i = 0; i < hosts->rows.size(); ++i) {
      if (hosts->value(i, "Server_id").value_or("") == archiver_id) {
        ids.note = "a replica with server_id " + archiver_id +
                   " is connected: this set's running archiver, or a clash (each replication "
                   "client needs its own)";
      }
    }
  }
  checks.push_back(std::move(ids));

  PreflightCheck format{what + "binlog_format " + value(2) + ", binlog_row_image " + value(3), ""};
  if (upper(value(2)) != "ROW") {
    format.note = "binlog_format = ROW is recommended: a " + value(2) +
                  " statement replayed later (NOW(), UUID(), LIMIT without ORDER BY) may not "
                  "do what it did";
  } else if (upper(value(3)) != "FULL") {
    format.note = "binlog_row_image = FULL is recommended: replay applies row images as logged";
  }
  checks.push_back(std::move(format));
  return checks;
}

}  // namespace dbkeep::archive
