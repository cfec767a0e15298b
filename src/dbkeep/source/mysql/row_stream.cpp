#include "dbkeep/source/mysql/row_stream.hpp"

#include <mysql.h>

#include <utility>

namespace dbkeep::source::mysql {
namespace {

constexpr unsigned kBinaryCharset = 63;  // the "binary" character set number

ValueKind kind_of(const MYSQL_FIELD& field) {
  switch (field.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
    case MYSQL_TYPE_YEAR:
      return ValueKind::kNumber;
    case MYSQL_TYPE_BIT:
    case MYSQL_TYPE_GEOMETRY:
      return ValueKind::kBinary;
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
      // ENUM and SET arrive as STRING with their own flags; they are text even when binary.
      if ((field.flags & (ENUM_FLAG | SET_FLAG)) != 0) return ValueKind::kText;
      return field.charsetnr == kBinaryCharset ? ValueKind::kBinary : ValueKind::kText;
    default:
      return ValueKind::kText;
  }
}

}  // namespace

Result<RowStream> RowStream::open(Connection& connection, std::string_view sql) {
  MYSQL* handle = connection.handle_;
  if (handle == nullptr) return fail("MySQL connection to " + connection.endpoint() + " is closed");
  if (mysql_real_query(handle, sql.data(), sql.size()) != 0) {
    return propagate(connection.query_error(sql));
  }
  MYSQL_RES* result = mysql_use_result(handle);
  if (result == nullptr) {
    if (mysql_errno(handle) != 0) return propagate(connection.query_error(sql));
    return fail("statement returned no rows to stream: " + std::string(sql.substr(0, 160)));
  }
  return RowStream(connection, result);
}

RowStream::RowStream(Connection& connection, st_mysql_res* result)
    : connection_(&connection), result_(result) {
  const unsigned count = mysql_num_fields(result);
  const MYSQL_FIELD* fields = mysql_fetch_fields(result);
  columns_.reserve(count);
  for (unsigned i = 0; i < count; ++i) columns_.push_back({fields[i].name, kind_of(fields[i])});
}

RowStream::RowStream(RowStream&& other) noexcept
    : connection_(other.connection_),
      result_(std::exchange(other.result_, nullptr)),
      columns_(std::move(other.columns_)),
      row_(other.row_),
      lengths_(other.lengths_),
      rows_read_(other.rows_read_) {}

RowStream::~RowStream() {
  // mysql_free_result reads and discards the rest of an unfinished result set.
  if (result_ != nullptr) mysql_free_result(result_);
}

Result<bool> RowStream::next() {
  row_ = mysql_fetch_row(result_);
  if (row_ == nullptr) {
    MYSQL* handle = connection_->handle_;
    if (handle != nullptr && mysql_errno(handle) != 0) {
      return propagate(
          connection_->query_error("(reading rows after " + std::to_string(rows_read_) + " rows)"));
    }
    return false;
  }
  lengths_ = mysql_fetch_lengths(result_);
  ++rows_read_;
  return true;
}

std::optional<std::string_view> RowStream::value(std::size_t index) const {
  if (row_ == nullptr || row_[index] == nullptr) return std::nullopt;
  return std::string_view(row_[index], lengths_[index]);
}

}  // namespace dbkeep::source::mysql
