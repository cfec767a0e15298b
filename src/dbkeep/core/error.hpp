#pragma once
// The error type every layer returns. Low layers return Result<T>; the command layer turns an
// Error into one message on stderr and the exit code its kind maps to (see exit_code()).

#include <expected>
#include <string>
#include <utility>

namespace dbkeep {

// What went wrong, coarsely: decides the process exit code (DESIGN.md "Exit codes").
enum class ErrorKind {
  kFailed,        // the operation failed (I/O, server, child process): exit 1
  kUsage,         // bad flags or configuration: exit 2
  kVerification,  // a backup did not verify: exit 3
  kLocked,        // another dbkeep holds the set's lock: exit 4
  kCancelled,     // SIGINT/SIGTERM asked us to stop: exit 1
};

struct Error {
  ErrorKind kind = ErrorKind::kFailed;
  std::string message;  // complete sentence fragment for the user; never contains a secret

  // Returns a copy with "context: " put in front, for callers adding where it happened.
  [[nodiscard]] Error with_context(const std::string& context) const {
    return Error{kind, context + ": " + message};
  }
};

template <typename T = void>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message, ErrorKind kind = ErrorKind::kFailed) {
  return std::unexpected(Error{kind, std::move(message)});
}
inline std::unexpected<Error> usage_error(std::string message) {
  return fail(std::move(message), ErrorKind::kUsage);
}
inline std::unexpected<Error> propagate(Error error) {
  return std::unexpected(std::move(error));
}

// Builds "what: strerror(errno)" for system-call failures.
std::string errno_message(const std::string& what, int error_number);

int exit_code(ErrorKind kind);

}  // namespace dbkeep

// TRY(expr): evaluates a Result; on error returns it from the enclosing function.
// TRY_ASSIGN(var, expr): declares `var` holding the value, or returns the error.
#define DBKEEP_CONCAT_INNER(a, b) a##b
#define DBKEEP_CONCAT(a, b) DBKEEP_CONCAT_INNER(a, b)
#define TRY(expr)                                                                \
  do {                                                                           \
    auto&& dbkeep_try_result_ = (expr);                                          \
    if (!dbkeep_try_result_) return std::unexpected(dbkeep_try_result_.error()); \
  } while (false)
#define TRY_ASSIGN_IMPL(tmp, var, expr)          \
  auto tmp = (expr);                             \
  if (!tmp) return std::unexpected(tmp.error()); \
  var = std::move(*tmp)
#define TRY_ASSIGN(var, expr) TRY_ASSIGN_IMPL(DBKEEP_CONCAT(dbkeep_try_, __COUNTER__), var, expr)
