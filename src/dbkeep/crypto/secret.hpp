#pragma once
// A passphrase or key-file content held in memory: zeroed when destroyed, never printed.

#include <string>
#include <utility>

namespace dbkeep::crypto {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
  Secret& operator=(Secret&& other) noexcept {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
    return *this;
  }
  ~Secret() { wipe(); }

  [[nodiscard]] const std::string& reveal() const { return value_; }

 private:
  void wipe();
  std::string value_;
};

// How a key slot is opened.
enum class SlotKind { kPassphrase, kKeyFile };

struct Credential {
  SlotKind kind = SlotKind::kPassphrase;
  Secret secret;  // the passphrase, or the whole content of the key file
};

}  // namespace dbkeep::crypto
