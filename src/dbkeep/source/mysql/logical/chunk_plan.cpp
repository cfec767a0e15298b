#include "dbkeep/source/mysql/logical/chunk_plan.hpp"

#include <algorithm>

#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::source::mysql::logical {
namespace {

__extension__ typedef unsigned __int128 UInt128;

}  // namespace

std::string integer_text(Int128 value) {
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

namespace {

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
    std::string bound = integer_text(min + span * i / count);
    out.push_back((previous.empty() ? "" : column + " >= " + previous + " AND ") + column + " < " +
                  bound);
    previous = bound;
  }
  out.push_back(column + " >= " + previous);
  return out;
}

Result<std::optional<KeyBounds>> read_key_bounds(Connection& connection, const TableInfo& table) {
  if (table.chunk_key.empty()) return std::nullopt;
  const std::string key = quote_identifier(table.chunk_key);
  TRY_ASSIGN(auto bounds,
             connection.query("SELECT MIN(" + key + "), MAX(" + key + ") FROM " +
                              quote_identifier(table.schema) + "." + quote_identifier(table.name)));
  auto min = parse_integer(bounds.rows.at(0)[0]);
  auto max = parse_integer(bounds.rows.at(0)[1]);
  if (!min || !max) return std::nullopt;
  return KeyBounds{*min, *max};
}

Int128 adapted_range_width(Int128 width_done, std::uint64_t bytes_done, std::uint64_t target_bytes,
                           Int128 current) {
  current = std::max<Int128>(current, 1);
  if (width_done <= 0 || bytes_done == 0 || target_bytes == 0) return current;
  const Int128 measured =
      width_done * static_cast<Int128>(target_bytes) / static_cast<Int128>(bytes_done);
  return std::max<Int128>(1, std::clamp<Int128>(measured, current / 4, current * 4));
}

Result<std::vector<Chunk>> plan_chunks(Connection& connection, const TableInfo& table,
                                       std::uint64_t chunk_bytes) {
  const std::uint64_t wanted =
      chunk_bytes == 0 ? 1 : (table.data_bytes + chunk_bytes - 1) / chunk_bytes;
  std::vector<std::string> conditions{""};
  if (wanted > 1) {
    TRY_ASSIGN(auto bounds, read_key_bounds(connection, table));
    if (bounds) {
      conditions = range_conditions(table.chunk_key, bounds->min, bounds->max,
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
