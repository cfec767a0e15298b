#include "dbkeep/source/mysql/logical/chunk_plan.hpp"

#include <algorithm>

#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::source::mysql::logical {
namespace {

__extension__ typedef unsigned __int128 UInt128;

std::string to_text(Int128 value) {
  if (value == 0) return "0";
  bool negative = value < 0;
  UInt128 magnitude = negative ? -static_cast<UInt128>(value) : static_cast<UInt128>(value);
  std::string digits;
  while (magnitude > 0) {
    digits += static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  }
  if (negative) digits += '-';
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::optional<Int128> parse_integer(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  Int128 value = 0;
  std::size_t i = (*text)[0] == '-' ? 1 : 0;
  for (; i < text->size(); ++i) {
    char c = (*text)[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return (*text)[0] == '-' ? -value : value;
}

}  // namespace

std::vector<std::string> range_conditions(const std::string& key, Int128 min, Int128 max,
                                          int count) {
  const std::string column = quote_identifier(key);
  const Int128 span = max - min + 1;
  count = static_cast<int>(std::clamp<Int128>(count, 1, std::max<Int128>(span, 1)));
  if (count <= 1) return {""};
  std::vector<std::string> out;
  std::string previous;
  for (int i = 1; i < count; ++i) {
    std::string bound = to_text(min + span * i / count);
    out.push_back((previous.empty() ? "" : column + " >= " + previous + " AND ") + column + " < " +
                  bound);
    previous = bound;
  }
  out.push_back(column + " >= " + previous);
  return out;
}

Result<std::vector<Chunk>> plan_chunks(Connection& connection, const TableInfo& table,
                                       std::uint64_t chunk_bytes) {
  const std::uint64_t wanted =
      chunk_bytes == 0 ? 1 : (table.data_bytes + chunk_bytes - 1) / chunk_bytes;
  std::vector<std::string> conditions{""};
  if (wanted > 1 && !table.chunk_key.empty()) {
    const std::string key = quote_identifier(table.chunk_key);
    TRY_ASSIGN(auto bounds, connection.query("SELECT MIN(" + key + "), MAX(" + key + ") FROM " +
                                             quote_identifier(table.schema) + "." +
                                             quote_identifier(table.name)));
    auto min = parse_integer(bounds.rows.at(0)[0]);
    auto max = parse_integer(bounds.rows.at(0)[1]);
    if (min && max) {
      conditions = range_conditions(table.chunk_key, *min, *max,
                                    static_cast<int>(std::min<std::uint64_t>(wanted, 100000)));
    }
  }
  std::vector<Chunk> chunks;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    chunks.push_back(
        {&table, static_cast<int>(i + 1), conditions[i], table.data_bytes / conditions.size()});
  }
  return chunks;
}

}  // namespace dbkeep::source::mysql::logical
