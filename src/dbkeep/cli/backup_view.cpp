#include "dbkeep/cli/backup_view.hpp"

#include <algorithm>
#include <array>

#include "dbkeep/core/time_format.hpp"

namespace dbkeep::cli {
namespace {

std::string pad(const std::string& text, std::size_t width) {
  return text + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

}  // namespace

std::string table_time(core::Seconds time) {
  std::string text = core::format_iso_utc(time);
  std::replace(text.begin(), text.end(), 'T', ' ');
  if (!text.empty()) text.pop_back();  // drop the Z: the header says UTC
  return text;
}

nlohmann::json backup_summary_json(const repo::Manifest& manifest, bool pinned) {
  return {{"id", manifest.id},
          {"set", manifest.set},
          {"source", core::to_string(manifest.source)},
          {"method", core::to_string(manifest.method)},
          {"started_at", core::format_iso_utc(manifest.started_at)},
          {"finished_at", core::format_iso_utc(manifest.finished_at)},
          {"duration_ms", manifest.duration_ms},
          {"files", manifest.files.size()},
          {"size", manifest.total_size()},
          {"stored_size", manifest.total_stored_size()},
          {"status", "complete"},
          {"pinned", pinned}};
}

std::string describe_last_verification(const std::optional<nlohmann::json>& record) {
  if (!record) return "never";
  return record->value("kind", "drill") + " " + record->value("started_at", "?") +
         (record->value("ok", false) ? " OK" : " FAILED");
}

std::string backup_table(const std::vector<repo::Manifest>& backups,
                         const std::set<std::string>& pinned,
                         const std::vector<std::string>& verified) {
  using Row = std::array<std::string, 9>;
  std::vector<Row> rows = {{"ID", "SET", "METHOD", "STARTED (UTC)", "SIZE", "STORED", "DURATION",
                            "STATUS", "LAST VERIFIED"}};
  for (std::size_t index = 0; index < backups.size(); ++index) {
    const auto& manifest = backups[index];
    rows.push_back(
        {manifest.id, manifest.set, std::string(core::to_string(manifest.method)),
         table_time(manifest.started_at), core::format_bytes(manifest.total_size()),
         core::format_bytes(manifest.total_stored_size()),
         core::format_duration(std::chrono::milliseconds(manifest.duration_ms)),
         pinned.contains(manifest.set + "/" + manifest.id) ? "complete, pinned" : "complete",
         index < verified.size() ? verified[index] : "never"});
  }
  std::array<std::size_t, 9> widths{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += i + 1 < row.size() ? pad(row[i], widths[i] + 2) : row[i];
    }
    out += line + "\n";
  }
  return out;
}

std::string backup_details(const repo::Manifest& manifest, bool pinned) {
  std::string out;
  auto line = [&out](const std::string& key, const std::string& value) {
    out += pad(key + ":", 14) + value + "\n";
  };
  line("id", manifest.id);
  line("set", manifest.set);
  line("source", std::string(core::to_string(manifest.source)) + " (" +
                     std::string(core::to_string(manifest.method)) + ")");
  line("host", manifest.host);
  line("started", core::format_iso_utc(manifest.started_at));
  line("finished", core::format_iso_utc(manifest.finished_at));
  line("duration", core::format_duration(std::chrono::milliseconds(manifest.duration_ms)));
  line("size", core::format_bytes(manifest.total_size()) + " in " +
                   std::to_string(manifest.files.size()) + " files");
  line("stored", core::format_bytes(manifest.total_stored_size()));
  line("dbkeep", manifest.tool_version);
  line("pinned", pinned ? "yes (never pruned; dbkeep unpin " + manifest.id + ")" : "no");
  if (manifest.depends_on) line("depends on", *manifest.depends_on);
  for (const auto& [key, value] : manifest.facts.items()) {
    line(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  out += "files:\n";
  for (const auto& file : manifest.files) {
    out +=
        "  " + file.stored.path + "  " + core::format_bytes(file.stored.size) + " → " +
        core::format_bytes(file.stored.stored_size) + " " +
        std::string(pipeline::codec_name(file.stored.codec)) +
        (file.stored.stored_sha256.empty() ? "  sha256 of plaintext " + file.stored.plaintext_sha256
                                           : "  sha256 " + file.stored.stored_sha256) +
        "\n";
  }
  return out;
}

}  // namespace dbkeep::cli
