#include "dbkeep/core/error.hpp"

#include <cstring>

namespace dbkeep {

std::string errno_message(const std::string& what, int error_number) {
  return what + ": " + std::strerror(error_number);
}

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kFailed:
    case ErrorKind::kCancelled:
      return 1;
    case ErrorKind::kUsage:
      return 2;
    case ErrorKind::kVerification:
      return 3;
    case ErrorKind::kLocked:
      return 4;
  }
  return 1;
}

}  // namespace dbkeep
