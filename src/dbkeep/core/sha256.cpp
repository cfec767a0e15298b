#include "dbkeep/core/sha256.hpp"

#include <openssl/evp.h>

#include <new>
#include <stdexcept>

namespace dbkeep::core {

// OpenSSL only fails SHA-256 when it cannot allocate, so failures are reported the way an
// allocation failure would be (an exception), keeping update()/finish_hex() infallible.
struct Sha256::Impl {
  EVP_MD_CTX* context = nullptr;

  Impl() : context(EVP_MD_CTX_new()) {
    if (context == nullptr) throw std::bad_alloc();
    if (EVP_DigestInit_ex(context, EVP_sha256(), nullptr) != 1) {
      EVP_MD_CTX_free(context);
      throw std::runtime_error("OpenSSL: SHA-256 initialisation failed");
    }
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() { EVP_MD_CTX_free(context); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::span<const std::byte> data) {
  if (EVP_DigestUpdate(impl_->context, data.data(), data.size()) != 1) {
    throw std::runtime_error("OpenSSL: SHA-256 update failed");
  }
}

std::string Sha256::finish_hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(impl_->context, digest, &length) != 1) {
    throw std::runtime_error("OpenSSL: SHA-256 final failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

std::string sha256_hex(std::span<const std::byte> data) {
  Sha256 hash;
  hash.update(data);
  return hash.finish_hex();
}

}  // namespace dbkeep::core
