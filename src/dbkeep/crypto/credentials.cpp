#include "dbkeep/crypto/credentials.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>

#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/secret_file.hpp"
#include "dbkeep/pipeline/encryption.hpp"

namespace dbkeep::crypto {
namespace {

Credential passphrase(std::string text) {
  log::register_secret(text);
  return Credential{SlotKind::kPassphrase, Secret(std::move(text))};
}

// A passphrase file holds the passphrase alone, on one line.
Result<Credential> passphrase_from_file(const std::filesystem::path& path) {
  TRY_ASSIGN(auto line, core::read_secret_file(path, "passphrase file"));
  return passphrase(std::move(line));
}

// Reads one line from the terminal with echo off; nullopt when there is no terminal.
std::optional<Secret> prompt(const std::string& question) {
  core::Fd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC));
  if (!tty || !::isatty(STDIN_FILENO)) return std::nullopt;
  struct termios saved {};
  if (::tcgetattr(tty.get(), &saved) != 0) return std::nullopt;
  struct termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(tty.get(), TCSAFLUSH, &quiet);
  (void)!::write(tty.get(), question.data(), question.size());
  std::string line;
  char c = 0;
  while (::read(tty.get(), &c, 1) == 1 && c != '\n') line.push_back(c);
  ::tcsetattr(tty.get(), TCSAFLUSH, &saved);
  (void)!::write(tty.get(), "\n", 1);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return Secret(std::move(line));
}

}  // namespace

Result<Credential> configured_credential(const core::RepositoryConfig& config, bool confirm) {
  if (config.encryption == core::EncryptionMode::kKeyfile)
    return key_file_credential(*config.key_file, false);
  if (config.passphrase_file) return passphrase_from_file(*config.passphrase_file);
  if (const char* value = std::getenv(kPassphraseVariable); value != nullptr && *value != '\0') {
    return passphrase(value);
  }
  auto typed = prompt("Passphrase for the dbkeep repository " + config.path.string() + ": ");
  if (!typed) {
    return usage_error(
        "the repository passphrase is needed: set [repository] passphrase_file, "
        "the environment variable " +
        std::string(kPassphraseVariable) + ", or run dbkeep on a terminal");
  }
  if (typed->reveal().empty()) return usage_error("empty passphrase");
  if (confirm) {
    auto again = prompt("Repeat the passphrase: ");
    if (!again || again->reveal() != typed->reveal()) {
      return usage_error("the two passphrases differ; nothing was created");
    }
  }
  return passphrase(typed->reveal());
}

Result<Credential> new_passphrase(const std::optional<std::filesystem::path>& file) {
  if (file) return passphrase_from_file(*file);
  if (const char* value = std::getenv(kNewPassphraseVariable); value != nullptr && *value != '\0') {
    return passphrase(value);
  }
  auto first = prompt("New passphrase: ");
  if (!first) {
    return usage_error(
        "no new passphrase: give it with --new-passphrase-file FILE, the "
        "environment variable " +
        std::string(kNewPassphraseVariable) + ", or run dbkeep on a terminal");
  }
  auto second = prompt("Repeat the new passphrase: ");
  if (!second || second->reveal() != first->reveal()) {
    return usage_error("the two passphrases differ; nothing was changed");
  }
  if (first->reveal().size() < 8) return usage_error("a passphrase needs at least 8 characters");
  return passphrase(first->reveal());
}

Result<Credential> key_file_credential(const std::filesystem::path& path, bool create) {
  if (create && !std::filesystem::exists(path)) {
    pipeline::ensure_sodium();
    std::array<std::uint8_t, 32> random{};
    randombytes_buf(random.data(), random.size());
    std::array<char, 65> text{};
    sodium_bin2hex(text.data(), text.size(), random.data(), random.size());
    sodium_memzero(random.data(), random.size());
    core::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) return fail(errno_message("cannot create key file " + path.string(), errno));
    std::string content(text.data(), 64);
    content.push_back('\n');
    sodium_memzero(text.data(), text.size());
    bool written =
        ::write(fd.get(), content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
        ::fsync(fd.get()) == 0;
    Secret wipe_content(std::move(content));
    if (!written) return fail(errno_message("cannot write key file " + path.string(), errno));
    log::info("created key file " + path.string() + " (keep a copy away from the repository)");
  }
  // Every byte counts: the wrapping key is a hash of the whole content, newline included.
  TRY_ASSIGN(auto content, core::read_secret_file(path, "key file", core::SecretForm::kBytes));
  return Credential{SlotKind::kKeyFile, Secret(std::move(content))};
}

}  // namespace dbkeep::crypto
