#pragma once
// Incremental SHA-256 (OpenSSL EVP underneath).

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace dbkeep::core {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(std::span<const std::byte> data);
  // Lowercase hex digest; the object must not be updated afterwards.
  std::string finish_hex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::span<const std::byte> data);

}  // namespace dbkeep::core
