#include "dbkeep/cli/command.hpp"

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/crypto/repository_access.hpp"
#include "dbkeep/repo/set_lock.hpp"
#include "dbkeep/storage/open_backend.hpp"

namespace dbkeep::cli {
namespace {

// Two processes of this host opening a new encrypted repository at once (the daemon's first
// backup and its archivers, `archive run` started beside `backup`) must not both create a key:
// the loser would write objects that no key in the repository opens. Key creation waits for
// this lock; the second process then finds the first one's key and unlocks it. (Hosts that
// share a new repository create its key once with `dbkeep key init`; docs/encryption.md.)
Result<repo::SetLock> key_creation_lock(const std::filesystem::path& state_dir) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (true) {
    auto lock = repo::SetLock::acquire(state_dir, "@repository-key");
    if (lock || lock.error().kind != ErrorKind::kLocked ||
        std::chrono::steady_clock::now() > deadline) {
      return lock;
    }
    if (core::cancellation_requested()) return fail("cancelled", ErrorKind::kCancelled);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

Result<const core::Config*> CommandContext::config() {
  if (!config_) {
    TRY_ASSIGN(auto loaded, core::load_config(global_.config_path, core::current_environment()));
    config_ = std::move(loaded);
    for (const auto& set : config_->sets) {
      if (set.mysql && set.mysql->password) log::register_secret(*set.mysql->password);
    }
    if (config_->notify.smtp_password) log::register_secret(*config_->notify.smtp_password);
    if (config_->notify.webhook_url) log::register_secret(*config_->notify.webhook_url);
    if (config_->log.file) TRY(log::open_file(*config_->log.file));
  }
  return &*config_;
}

Result<repo::Repository*> CommandContext::repository() {
  if (!repository_) {
    TRY_ASSIGN(auto* loaded, config());
    TRY_ASSIGN(auto raw, storage::open_backend(loaded->repository));
    std::optional<repo::SetLock> key_lock;
    if (allow_key_creation_ && loaded->repository.encryption != core::EncryptionMode::kNone) {
      TRY_ASSIGN(key_lock, key_creation_lock(loaded->repository.state_dir));
    }
    TRY_ASSIGN(auto backend,
               crypto::open_repository_backend(loaded->repository, std::move(raw),
                                               allow_key_creation_ ? crypto::KeyCreation::kIfNew
                                                                   : crypto::KeyCreation::kNever));
    repository_ = std::make_unique<repo::Repository>(std::move(backend));
  }
  return repository_.get();
}

Result<std::vector<const core::SetConfig*>> CommandContext::selected_sets(
    const std::optional<std::string>& set) {
  TRY_ASSIGN(auto* loaded, config());
  std::vector<const core::SetConfig*> out;
  if (set) {
    TRY_ASSIGN(auto* found, loaded->find_set(*set));
    out.push_back(found);
  } else {
    for (const auto& one : loaded->sets) out.push_back(&one);
  }
  return out;
}

void CommandContext::print(std::string_view text) const {
  if (global_.json) return;
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void CommandContext::print_json(const nlohmann::json& document) const {
  std::string text = document.dump(2) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace dbkeep::cli
