#pragma once
// RAII over a sqlite3 connection, with the few queries dbkeep needs.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "dbkeep/core/error.hpp"

namespace dbkeep::source::sqlite {

class SqliteDatabase {
 public:
  enum class Mode { kReadOnly, kReadWrite, kReadWriteCreate };
  static Result<SqliteDatabase> open(const std::filesystem::path& path, Mode mode,
                                     int busy_timeout_ms = 30000);

  SqliteDatabase(SqliteDatabase&& other) noexcept;
  SqliteDatabase& operator=(SqliteDatabase&& other) noexcept;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase();

  sqlite3* handle() { return db_; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  Result<void> execute(const std::string& sql);
  // First column of the first row as text ("" for NULL or no row).
  Result<std::string> query_text(const std::string& sql);
  // "ok" or the problems PRAGMA integrity_check reported, joined by "; ".
  Result<std::string> integrity_check();
  // Row count of every user table (sqlite_% internal tables excluded), by name.
  Result<std::map<std::string, std::uint64_t>> count_rows();
  std::string last_error() const;

 private:
  SqliteDatabase(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

}  // namespace dbkeep::source::sqlite
