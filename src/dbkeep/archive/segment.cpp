#include "dbkeep/archive/segment.hpp"

#include <cstdio>

namespace dbkeep::archive {
namespace {

nlohmann::json point_to_json(const BinlogPoint& point) {
  return {{"file", point.file}, {"position", point.position}};
}

template <typename T>
Result<T> field(const nlohmann::json& object, const char* key, const std::string& where) {
  auto found = object.find(key);
  if (found == object.end()) return fail(where + ": index entry lacks \"" + key + "\"");
  if constexpr (std::is_same_v<T, std::string>) {
    if (!found->is_string()) return fail(where + ": \"" + key + "\" is not a string");
    return found->template get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!found->is_boolean()) return fail(where + ": \"" + key + "\" is not true or false");
    return found->template get<bool>();
  } else {
    if (!found->is_number_integer()) return fail(where + ": \"" + key + "\" is not a number");
    return found->template get<T>();
  }
}

Result<BinlogPoint> point_from_json(const nlohmann::json& object, const char* key,
                                    const std::string& where) {
  auto found = object.find(key);
  if (found == object.end() || !found->is_object()) {
    return fail(where + ": index entry lacks \"" + key + "\"");
  }
  BinlogPoint point;
  TRY_ASSIGN(point.file, field<std::string>(*found, "file", where));
  TRY_ASSIGN(point.position, field<std::uint64_t>(*found, "position", where));
  return point;
}

}  // namespace

std::string SegmentEntry::id() const {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%010llu-", static_cast<unsigned long long>(sequence));
  char position[32];
  std::snprintf(position, sizeof position, "-%012llu",
                static_cast<unsigned long long>(start_position));
  return buffer + file + position;
}

std::string archive_prefix(const std::string& set) {
  return set + "/archive/";
}

std::string segment_data_key(const std::string& set, const std::string& id, core::Codec codec) {
  return archive_prefix(set) + id + ".binlog" + std::string(core::codec_extension(codec));
}

std::string segment_index_key(const std::string& set, const std::string& id) {
  return archive_prefix(set) + id + ".json";
}

nlohmann::json segment_to_json(const SegmentEntry& entry) {
  return {{"format", kSegmentFormat},
          {"set", entry.set},
          {"host", entry.host},
          {"sequence", entry.sequence},
          {"follows", point_to_json(entry.follows)},
          {"file", entry.file},
          {"start_position", entry.start_position},
          {"end", point_to_json(entry.end)},
          {"first_event_time", entry.first_event_time},
          {"last_event_time", entry.last_event_time},
          {"events", entry.events},
          {"transactions", entry.transactions},
          {"first_gtid", entry.first_gtid},
          {"last_gtid", entry.last_gtid},
          {"server_id", entry.server_id},
          {"server_uuid", entry.server_uuid},
          {"stored_at", entry.stored_at},
          {"object",
           {{"key", entry.stored.stored_key},
            {"size", entry.stored.size},
            {"stored_size", entry.stored.stored_size},
            {"stored_sha256", entry.stored.stored_sha256},
            {"codec", core::codec_name(entry.stored.codec)},
            {"encrypted", entry.stored.encrypted}}}};
}

Result<SegmentEntry> segment_from_json(const nlohmann::json& document, const std::string& where) {
  if (!document.is_object()) return fail(where + ": index entry is not a JSON object");
  TRY_ASSIGN(auto format, field<int>(document, "format", where));
  if (format > kSegmentFormat) {
    return fail(where + ": index entry format " + std::to_string(format) +
                " is newer than this dbkeep reads (" + std::to_string(kSegmentFormat) +
                "); upgrade dbkeep");
  }
  SegmentEntry entry;
  TRY_ASSIGN(entry.set, field<std::string>(document, "set", where));
  TRY_ASSIGN(entry.host, field<std::string>(document, "host", where));
  TRY_ASSIGN(entry.sequence, field<std::uint64_t>(document, "sequence", where));
  TRY_ASSIGN(entry.follows, point_from_json(document, "follows", where));
  TRY_ASSIGN(entry.file, field<std::string>(document, "file", where));
  TRY_ASSIGN(entry.start_position, field<std::uint64_t>(document, "start_position", where));
  TRY_ASSIGN(entry.end, point_from_json(document, "end", where));
  TRY_ASSIGN(entry.first_event_time, field<std::int64_t>(document, "first_event_time", where));
  TRY_ASSIGN(entry.last_event_time, field<std::int64_t>(document, "last_event_time", where));
  TRY_ASSIGN(entry.events, field<std::uint64_t>(document, "events", where));
  TRY_ASSIGN(entry.transactions, field<std::uint64_t>(document, "transactions", where));
  TRY_ASSIGN(entry.first_gtid, field<std::string>(document, "first_gtid", where));
  TRY_ASSIGN(entry.last_gtid, field<std::string>(document, "last_gtid", where));
  TRY_ASSIGN(entry.server_id, field<std::uint32_t>(document, "server_id", where));
  TRY_ASSIGN(entry.server_uuid, field<std::string>(document, "server_uuid", where));
  TRY_ASSIGN(entry.stored_at, field<std::int64_t>(document, "stored_at", where));
  auto object = document.find("object");
  if (object == document.end() || !object->is_object()) {
    return fail(where + ": index entry lacks \"object\"");
  }
  TRY_ASSIGN(entry.stored.stored_key, field<std::string>(*object, "key", where));
  TRY_ASSIGN(entry.stored.size, field<std::uint64_t>(*object, "size", where));
  TRY_ASSIGN(entry.stored.stored_size, field<std::uint64_t>(*object, "stored_size", where));
  TRY_ASSIGN(entry.stored.stored_sha256, field<std::string>(*object, "stored_sha256", where));
  TRY_ASSIGN(auto codec, field<std::string>(*object, "codec", where));
  auto parsed = core::parse_codec(codec);
  if (!parsed) return fail(where + ": unknown codec '" + codec + "'");
  entry.stored.codec = *parsed;
  TRY_ASSIGN(entry.stored.encrypted, field<bool>(*object, "encrypted", where));
  entry.stored.path = entry.id() + ".binlog";
  if (entry.stored.stored_key != segment_data_key(entry.set, entry.id(), entry.stored.codec)) {
    return fail(where + ": index entry names object '" + entry.stored.stored_key +
                "', which is not its segment's key");
  }
  return entry;
}

std::optional<std::uint64_t> binlog_file_number(const std::string& file, std::string* base) {
  auto dot = file.rfind('.');
  if (dot == std::string::npos || dot + 1 == file.size()) return std::nullopt;
  std::uint64_t number = 0;
  for (std::size_t i = dot + 1; i < file.size(); ++i) {
    if (file[i] < '0' || file[i] > '9') return std::nullopt;
    number = number * 10 + static_cast<std::uint64_t>(file[i] - '0');
  }
  if (base) *base = file.substr(0, dot);
  return number;
}

}  // namespace dbkeep::archive
