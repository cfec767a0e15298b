#include "dbkeep/archive/binlog_events.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace dbkeep::archive {
namespace {

std::uint64_t little_endian(std::span<const std::byte> bytes, std::size_t offset,
                            std::size_t width) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value |= static_cast<std::uint64_t>(std::to_integer<std::uint8_t>(bytes[offset + i]))
             << (8 * i);
  }
  return value;
}

std::string upper_trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (std::isspace(static_cast<unsigned char>(text.back())) || text.back() == ';')) {
    text.remove_suffix(1);
  }
  std::string upper(text);
  std::ranges::transform(upper, upper.begin(),
                         [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper;
}

constexpr std::uint8_t kMariadbStandaloneFlag = 1;  // FL_STANDALONE in the GTID event
constexpr std::uint8_t kXaPrepare = 38;             // XA_PREPARE_LOG_EVENT (MariaDB)
constexpr std::uint8_t kChecksumCrc32 = 1;

}  // namespace

std::optional<EventHeader> parse_event_header(std::span<const std::byte> bytes) {
  if (bytes.size() < kEventHeaderSize) return std::nullopt;
  EventHeader header;
  header.timestamp = static_cast<std::uint32_t>(little_endian(bytes, 0, 4));
  header.type = std::to_integer<std::uint8_t>(bytes[4]);
  header.server_id = static_cast<std::uint32_t>(little_endian(bytes, 5, 4));
  header.size = static_cast<std::uint32_t>(little_endian(bytes, 9, 4));
  header.end_position = static_cast<std::uint32_t>(little_endian(bytes, 13, 4));
  header.flags = static_cast<std::uint16_t>(little_endian(bytes, 17, 2));
  if (header.size < kEventHeaderSize || header.size > kMaxEventSize) return std::nullopt;
  return header;
}

bool format_has_checksum(std::span<const std::byte> format_description) {
  // header, binlog_version (2), server_version (50), create_timestamp (4), header_length (1),
  // post-header lengths…, checksum_alg (1), CRC-32 (4). Servers before 5.6.1 end at the lengths.
  constexpr std::size_t kFixed = kEventHeaderSize + 2 + 50 + 4 + 1;
  if (format_description.size() < kFixed + 5) return false;
  return std::to_integer<std::uint8_t>(format_description[format_description.size() - 5]) ==
         kChecksumCrc32;
}

std::optional<Gtid> parse_gtid(const EventHeader& header, std::span<const std::byte> event) {
  const std::size_t body = kEventHeaderSize;
  if (header.is(EventType::kMariadbGtid)) {
    if (event.size() < body + 13) return std::nullopt;
    auto sequence = little_endian(event, body, 8);
    auto domain = static_cast<std::uint32_t>(little_endian(event, body + 8, 4));
    auto flags = std::to_integer<std::uint8_t>(event[body + 12]);
    Gtid gtid;
    gtid.text = std::to_string(domain) + "-" + std::to_string(header.server_id) + "-" +
                std::to_string(sequence);
    gtid.domain = domain;
    gtid.standalone = (flags & kMariadbStandaloneFlag) != 0;
    return gtid;
  }
  if (header.is(EventType::kMysqlGtid)) {
    if (event.size() < body + 1 + 16 + 8) return std::nullopt;
    char uuid[37];
    std::size_t out = 0;
    for (std::size_t i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) uuid[out++] = '-';
      std::snprintf(uuid + out, 3, "%02x", std::to_integer<unsigned>(event[body + 1 + i]));
      out += 2;
    }
    Gtid gtid;
    gtid.text = std::string(uuid, out) + ":" + std::to_string(little_endian(event, body + 17, 8));
    return gtid;
  }
  return std::nullopt;
}

std::string query_statement(std::span<const std::byte> event, bool checksum) {
  // Post-header: thread_id (4), exec_time (4), db_len (1), error_code (2), status_vars_len (2).
  const std::size_t post = kEventHeaderSize;
  if (event.size() < post + 13) return {};
  std::size_t db_length = std::to_integer<std::uint8_t>(event[post + 8]);
  std::size_t status_length = little_endian(event, post + 11, 2);
  std::size_t start = post + 13 + status_length + db_length + 1;
  std::size_t end = event.size() - (checksum ? 4 : 0);
  if (start > end || end > event.size()) return {};
  return std::string(reinterpret_cast<const char*>(event.data() + start), end - start);
}

EventPlace TransactionTracker::feed(const EventHeader& header, std::span<const std::byte> event) {
  if (header.is(EventType::kMariadbGtid) || header.is(EventType::kMysqlGtid) ||
      header.is(EventType::kMysqlAnonymousGtid)) {
    gtid_ = parse_gtid(header, event);
    bool implicit_begin = header.is(EventType::kMariadbGtid) && gtid_ && !gtid_->standalone;
    state_ = implicit_begin ? State::kInTransaction : State::kAfterGtid;
    return EventPlace::kInsideTransaction;
  }
  const bool query = header.is(EventType::kQuery);
  switch (state_) {
    case State::kOutside:
    case State::kAfterGtid: {
      if (!query) {
        return state_ == State::kOutside ? EventPlace::kOutside : EventPlace::kInsideTransaction;
      }
      auto statement = upper_trimmed(query_statement(event, checksum_));
      if (statement == "BEGIN" || statement.starts_with("XA START")) {
        if (state_ == State::kOutside) gtid_.reset();  // a server without GTIDs
        state_ = State::kInTransaction;
        return EventPlace::kInsideTransaction;
      }
      // A DDL statement is a transaction of its own (after its GTID), or, on a server without
      // GTIDs, a statement outside any.
      bool had_gtid = state_ == State::kAfterGtid;
      state_ = State::kOutside;
      if (!had_gtid) gtid_.reset();
      return EventPlace::kTransactionEnd;
    }
    case State::kInTransaction: {
      if (header.is(EventType::kXid) || header.type == kXaPrepare) {
        state_ = State::kOutside;
        return EventPlace::kTransactionEnd;
      }
      if (query) {
        auto statement = upper_trimmed(query_statement(event, checksum_));
        if (statement == "COMMIT" || statement == "ROLLBACK") {
          state_ = State::kOutside;
          return EventPlace::kTransactionEnd;
        }
      }
      return EventPlace::kInsideTransaction;
    }
  }
  return EventPlace::kInsideTransaction;
}

}  // namespace dbkeep::archive
