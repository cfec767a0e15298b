#pragma once
// An SMTP server with TLS for notification tests, in python3 with its ssl module: implicit TLS
// (smtps) or STARTTLS, AUTH PLAIN/LOGIN against one user, a fresh self-signed certificate (made
// with the openssl tool) whose file the client must be told to trust. Each message is appended
// as {"from", "to", "data", "tls", "user"} to a file the test reads.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/child_process.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::test {

class TlsSmtpListener {
 public:
  enum class Mode { kImplicitTls, kStartTls };
  // Listens on `address` (the certificate names it); empty started() when it cannot run here,
  // with missing_reason() saying why.
  TlsSmtpListener(Mode mode, std::string address, std::string user, std::string password);
  ~TlsSmtpListener();

  [[nodiscard]] bool started() const { return port_ != 0; }
  [[nodiscard]] const std::string& missing_reason() const { return missing_reason_; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::filesystem::path certificate() const { return dir_.path() / "cert.pem"; }
  [[nodiscard]] std::vector<nlohmann::json> received() const;

 private:
  core::TempDir dir_ = make_temp_dir();
  std::optional<core::ChildProcess> process_;
  int port_ = 0;
  std::string missing_reason_;
};

// A non-loopback IPv4 address of this machine, for tests of rules that treat the local host
// differently; nothing when the machine has only loopback.
std::optional<std::string> non_loopback_address();

}  // namespace dbkeep::test
