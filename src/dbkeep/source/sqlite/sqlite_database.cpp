#include "dbkeep/source/sqlite/sqlite_database.hpp"

#include <memory>
#include <utility>
#include <vector>

namespace dbkeep::source::sqlite {
namespace {

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<SqliteDatabase> SqliteDatabase::open(const std::filesystem::path& path, Mode mode,
                                            int busy_timeout_ms) {
  int flags = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case Mode::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case Mode::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case Mode::kReadWriteCreate:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return fail("cannot open SQLite database " + path.string() + ": " + message);
  }
  sqlite3_busy_timeout(db, busy_timeout_ms);
  sqlite3_extended_result_codes(db, 1);
  return SqliteDatabase(db, path);
}

SqliteDatabase::SqliteDatabase(SqliteDatabase&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

SqliteDatabase& SqliteDatabase::operator=(SqliteDatabase&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

SqliteDatabase::~SqliteDatabase() {
  sqlite3_close(db_);
}

std::string SqliteDatabase::last_error() const {
  return db_ ? sqlite3_errmsg(db_) : "not open";
}

Result<void> SqliteDatabase::execute(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : last_error();
    sqlite3_free(message);
    return fail(path_.string() + ": " + text);
  }
  return {};
}

Result<std::string> SqliteDatabase::query_text(const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return fail(path_.string() + ": " + last_error());
  }
  Statement statement(raw);
  int rc = sqlite3_step(raw);
  if (rc == SQLITE_DONE) return std::string();
  if (rc != SQLITE_ROW) return fail(path_.string() + ": " + last_error());
  const unsigned char* text = sqlite3_column_text(raw, 0);
  return text ? std::string(reinterpret_cast<const char*>(text)) : std::string();
}

Result<std::string> SqliteDatabase::integrity_check() {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &raw, nullptr) != SQLITE_OK) {
    return fail(path_.string() + ": integrity check cannot run: " + last_error(),
                ErrorKind::kVerification);
  }
  Statement statement(raw);
  std::string report;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(raw, 0);
    if (!report.empty()) report += "; ";
    report += text ? reinterpret_cast<const char*>(text) : "";
  }
  if (rc != SQLITE_DONE) {
    return fail(path_.string() + ": integrity check failed to run: " + last_error(),
                ErrorKind::kVerification);
  }
  return report;
}

Result<std::map<std::string, std::uint64_t>> SqliteDatabase::count_rows() {
  sqlite3_stmt* raw = nullptr;
  const char* sql =
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
      "ORDER BY name";
  if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return fail(path_.string() + ": " + last_error());
  }
  Statement statement(raw);
  std::vector<std::string> tables;
  while (sqlite3_step(raw) == SQLITE_ROW) {
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(raw, 0)));
  }
  std::map<std::string, std::uint64_t> counts;
  for (const auto& table : tables) {
    TRY_ASSIGN(auto count, query_text("SELECT count(*) FROM " + quote_identifier(table)));
    counts[table] = std::stoull(count);
  }
  return counts;
}

}  // namespace dbkeep::source::sqlite
