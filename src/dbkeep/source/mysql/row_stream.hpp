#pragma once
// Rows of one SELECT read one at a time off the wire (mysql_use_result), so memory stays at one
// row however large the table. While a RowStream is open its connection is busy: no other
// statement may run on it until the stream is destroyed (the destructor drains what is left).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/core/error.hpp"
#include "dbkeep/source/mysql/connection.hpp"

struct st_mysql_res;  // MYSQL_RES

namespace dbkeep::source::mysql {

// How a column's value must be written back as an SQL literal.
enum class ValueKind {
  kNumber,  // integers, DECIMAL, FLOAT/DOUBLE, YEAR: the server's text, unquoted
  kBinary,  // binary strings, BLOBs, BIT, geometry: a hex literal (0x…)
  kText,    // everything else (strings, dates, JSON, ENUM/SET): a quoted, escaped string
};

struct StreamColumn {
  std::string name;
  ValueKind kind = ValueKind::kText;
};

class RowStream {
 public:
  // Sends `sql` on `connection` and starts reading its result set.
  static Result<RowStream> open(Connection& connection, std::string_view sql);
  RowStream(RowStream&& other) noexcept;
  RowStream& operator=(RowStream&&) = delete;
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;
  ~RowStream();

  [[nodiscard]] const std::vector<StreamColumn>& columns() const { return columns_; }
  // Advances to the next row: true when there is one, false at the end of the result. A
  // network or server error part way (connection killed, table dropped) is an error, never a
  // silent end.
  Result<bool> next();
  // Column `index` of the current row; nullopt for SQL NULL. Valid until the next next().
  [[nodiscard]] std::optional<std::string_view> value(std::size_t index) const;
  [[nodiscard]] std::uint64_t rows_read() const { return rows_read_; }

 private:
  RowStream(Connection& connection, st_mysql_res* result);

  Connection* connection_;
  st_mysql_res* result_;
  std::vector<StreamColumn> columns_;
  char** row_ = nullptr;
  unsigned long* lengths_ = nullptr;
  std::uint64_t rows_read_ = 0;
};

}  // namespace dbkeep::source::mysql
