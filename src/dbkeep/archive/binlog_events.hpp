#pragma once
// The few facts of a binary-log event the archive needs, read from its bytes: the common
// 19-byte header (timestamp, type, server id, size, end position, flags), whether the event
// starts or ends a transaction, and a MariaDB/MySQL GTID. Everything else is copied unchanged:
// a stored segment is a binlog file fragment that `mariadb-binlog` reads as it is.
//
// Layout (MariaDB KB "Binlog Event Header", MySQL "Binary Log Overview"): every value is
// little-endian; an event is header + post-header + body (+ a CRC-32 trailer when the format
// description says binlog_checksum = CRC32).

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace dbkeep::archive {

inline constexpr std::size_t kEventHeaderSize = 19;
inline constexpr std::uint32_t kBinlogMagicSize = 4;  // "\xfe" "bin" at the start of a file
// The largest event we accept; MariaDB's max_allowed_packet tops out at 1 GiB.
inline constexpr std::uint32_t kMaxEventSize = 1U << 30;

enum class EventType : std::uint8_t {
  kQuery = 2,
  kStop = 3,
  kRotate = 4,
  kFormatDescription = 15,
  kXid = 16,
  kHeartbeat = 27,
  kMysqlGtid = 33,
  kMysqlAnonymousGtid = 34,
  kMysqlPreviousGtids = 35,
  kMariadbAnnotateRows = 160,
  kMariadbBinlogCheckpoint = 161,
  kMariadbGtid = 162,
  kMariadbGtidList = 163,
};

inline constexpr std::uint16_t kArtificialEventFlag = 0x20;  // LOG_EVENT_ARTIFICIAL_F

struct EventHeader {
  std::uint32_t timestamp = 0;  // seconds since the epoch, UTC (the statement's start)
  std::uint8_t type = 0;
  std::uint32_t server_id = 0;
  std::uint32_t size = 0;          // whole event, header and checksum included
  std::uint32_t end_position = 0;  // log_pos: the offset just after this event in its file
  std::uint16_t flags = 0;

  [[nodiscard]] bool is(EventType t) const { return type == static_cast<std::uint8_t>(t); }
  // Where the event starts in its binlog file (0 for events the server made up, such as the
  // format description re-sent at the start of a dump).
  [[nodiscard]] std::uint32_t start_position() const {
    return end_position >= size ? end_position - size : 0;
  }
};

// The header at the start of `bytes`, or nullopt when fewer than 19 bytes are there or the
// size field is impossible (below 19 or above kMaxEventSize).
std::optional<EventHeader> parse_event_header(std::span<const std::byte> bytes);

// From a format description event: whether every event carries a 4-byte CRC-32 trailer.
bool format_has_checksum(std::span<const std::byte> format_description);

// A transaction's identity as the server printed it: MariaDB "domain-server-sequence",
// MySQL "uuid:number".
struct Gtid {
  std::string text;
  std::uint32_t domain = 0;  // MariaDB only
  // MariaDB: the GTID event's FL_STANDALONE flag (a DDL statement; no BEGIN follows).
  bool standalone = false;
};
std::optional<Gtid> parse_gtid(const EventHeader& header, std::span<const std::byte> event);

// The statement text of a query event (without its CRC trailer), e.g. "BEGIN", "COMMIT" or a
// DDL statement; empty when the event is malformed.
std::string query_statement(std::span<const std::byte> event, bool checksum);

// Follows events in order and says where transactions end, so a restore never applies half
// of one. A transaction starts at a GTID event; with BEGIN (MariaDB: a GTID without the
// standalone flag) it ends at XID or a COMMIT/ROLLBACK query, otherwise at the first query
// (DDL). Events outside a transaction (format description, rotate, GTID lists…) are each a
// boundary of their own.
enum class EventPlace {
  kInsideTransaction,  // more of the transaction follows
  kTransactionEnd,     // the event ended a transaction (gtid() names it, when it had one)
  kOutside,            // an event outside any transaction: a boundary of its own
};

class TransactionTracker {
 public:
  void set_checksum(bool checksum) { checksum_ = checksum; }
  // Feeds one event; says where the stream is after it.
  EventPlace feed(const EventHeader& header, std::span<const std::byte> event);
  [[nodiscard]] bool inside() const { return state_ != State::kOutside; }
  // The GTID of the transaction being fed or the one that just ended.
  [[nodiscard]] const std::optional<Gtid>& gtid() const { return gtid_; }

 private:
  enum class State { kOutside, kAfterGtid, kInTransaction };
  State state_ = State::kOutside;
  bool checksum_ = true;
  std::optional<Gtid> gtid_;
};

}  // namespace dbkeep::archive
