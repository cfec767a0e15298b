#include "dbkeep/crypto/secret.hpp"

#include <sodium.h>

namespace dbkeep::crypto {

void Secret::wipe() {
  if (!value_.empty()) sodium_memzero(value_.data(), value_.size());
  value_.clear();
}

}  // namespace dbkeep::crypto
