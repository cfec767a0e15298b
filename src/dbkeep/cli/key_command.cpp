// dbkeep key init|list|add|change|remove: the key slots of an encrypted repository
// (crypto/repository_keys.hpp). Every change but init first proves the caller holds a working
// passphrase or key file.

#include "dbkeep/cli/command.hpp"
#include "dbkeep/crypto/credentials.hpp"
#include "dbkeep/crypto/repository_access.hpp"
#include "dbkeep/crypto/repository_keys.hpp"
#include "dbkeep/storage/open_backend.hpp"

namespace dbkeep::cli {
namespace {

// The flags of every subcommand, read before the subcommand words (so option values are never
// mistaken for them); a subcommand refuses the flags it does not take.
struct KeyArguments {
  std::optional<std::string> key_file;
  std::optional<std::string> new_passphrase_file;
  std::vector<std::string> words;  // after the subcommand
};

Result<void> refuse_flags(const KeyArguments& args, std::string_view sub, bool key_file,
                          bool new_passphrase) {
  if ((args.key_file && !key_file) || (args.new_passphrase_file && !new_passphrase)) {
    return usage_error("unknown option for 'dbkeep key " + std::string(sub) +
                       "' (see dbkeep key --help)");
  }
  return {};
}

Result<void> refuse_words(const KeyArguments& args, std::string_view sub) {
  if (args.words.empty()) return {};
  return usage_error("unexpected argument '" + args.words.front() + "' for 'dbkeep key " +
                     std::string(sub) + "'");
}

struct KeyTarget {
  const core::Config* config = nullptr;
  std::unique_ptr<storage::Backend> raw;
};

Result<KeyTarget> open_raw(CommandContext& context) {
  TRY_ASSIGN(auto* config, context.config());
  TRY_ASSIGN(auto raw, storage::open_backend(config->repository));
  return KeyTarget{config, std::move(raw)};
}

Result<crypto::RepositoryMarker> require_marker(storage::Backend& raw) {
  TRY_ASSIGN(auto marker, crypto::read_marker(raw));
  if (!marker) {
    return usage_error("repository " + raw.describe() +
                       " is not encrypted (no config.json); see dbkeep key init");
  }
  return *marker;
}

// The master key, opened with the configured credential.
Result<crypto::UnlockedKey> unlock_configured(const KeyTarget& target) {
  TRY_ASSIGN(auto marker, require_marker(*target.raw));
  if (target.config->repository.encryption == core::EncryptionMode::kNone) {
    return usage_error(
        "set [repository] encryption (and its passphrase or key file) to manage "
        "the keys of an encrypted repository");
  }
  TRY_ASSIGN(auto credential, crypto::configured_credential(target.config->repository));
  return crypto::unlock(*target.raw, marker, credential);
}

Result<int> key_init(CommandContext& context, const KeyArguments& args) {
  TRY(refuse_flags(args, "init", false, false));
  TRY(refuse_words(args, "init"));
  TRY_ASSIGN(auto target, open_raw(context));
  TRY_ASSIGN(auto key_id, crypto::initialize_configured(target.config->repository, *target.raw,
                                                        crypto::KdfLimits::moderate()));
  if (context.global().json) {
    context.print_json({{"key_id", key_id}, {"slot", 0}});
  } else {
    context.print("repository key " + key_id + " created, key slot 0\n");
  }
  return 0;
}

Result<int> key_list(CommandContext& context, const KeyArguments& args) {
  TRY(refuse_flags(args, "list", false, false));
  TRY(refuse_words(args, "list"));
  TRY_ASSIGN(auto target, open_raw(context));
  TRY_ASSIGN(auto marker, require_marker(*target.raw));
  TRY_ASSIGN(auto slots, crypto::read_slots(*target.raw));
  nlohmann::json listed = nlohmann::json::array();
  std::string text = "repository key " + marker.key_id + " (" + marker.encryption + ")\n";
  for (const auto& slot : slots) {
    listed.push_back({{"slot", slot.number},
                      {"kind", crypto::slot_kind_name(slot.kind)},
                      {"created_at", slot.created_at},
                      {"kdf", slot.kdf}});
    text += "  slot " + std::to_string(slot.number) + "  " +
            std::string(crypto::slot_kind_name(slot.kind)) + "  created " + slot.created_at;
    if (slot.kind == crypto::SlotKind::kPassphrase) {
      text += "  argon2id ops=" + slot.kdf.value("opslimit", nlohmann::json()).dump() +
              " mem=" + std::to_string(slot.kdf.value("memlimit", std::uint64_t{0}) >> 20) + "MiB";
    }
    text += "\n";
  }
  if (context.global().json) {
    context.print_json({{"key_id", marker.key_id},
                        {"encryption", marker.encryption},
                        {"encrypt_metadata", marker.encrypt_metadata},
                        {"slots", listed}});
  } else {
    context.print(text);
  }
  return 0;
}

Result<int> key_add(CommandContext& context, const KeyArguments& args) {
  TRY(refuse_words(args, "add"));
  const auto& key_file = args.key_file;
  const auto& passphrase_file = args.new_passphrase_file;
  if (key_file && passphrase_file) {
    return usage_error("key add takes --key-file or --new-passphrase-file, not both");
  }
  TRY_ASSIGN(auto target, open_raw(context));
  TRY_ASSIGN(auto unlocked, unlock_configured(target));
  std::optional<std::filesystem::path> new_file;
  if (passphrase_file) new_file = *passphrase_file;
  auto credential = key_file ? crypto::key_file_credential(*key_file, /*create=*/true)
                             : crypto::new_passphrase(new_file);
  if (!credential) return propagate(credential.error());
  TRY_ASSIGN(int number, crypto::add_slot(*target.raw, unlocked.key, *credential,
                                          crypto::KdfLimits::moderate()));
  if (context.global().json) {
    context.print_json({{"slot", number}, {"kind", crypto::slot_kind_name(credential->kind)}});
  } else {
    context.print("added key slot " + std::to_string(number) + "\n");
  }
  return 0;
}

Result<int> key_change(CommandContext& context, const KeyArguments& args) {
  TRY(refuse_flags(args, "change", false, true));
  TRY(refuse_words(args, "change"));
  std::optional<std::filesystem::path> passphrase_file;
  if (args.new_passphrase_file) passphrase_file = *args.new_passphrase_file;
  TRY_ASSIGN(auto target, open_raw(context));
  if (target.config->repository.encryption != core::EncryptionMode::kRepokey) {
    return usage_error(
        "key change replaces a passphrase (encryption = \"repokey\"); for key "
        "files use key add --key-file, then key remove");
  }
  TRY_ASSIGN(auto unlocked, unlock_configured(target));
  TRY_ASSIGN(auto credential, crypto::new_passphrase(passphrase_file));
  TRY_ASSIGN(int number, crypto::replace_slot(*target.raw, unlocked.slot, unlocked.key, credential,
                                              crypto::KdfLimits::moderate()));
  if (context.global().json) {
    context.print_json({{"removed_slot", unlocked.slot}, {"slot", number}});
  } else {
    context.print("passphrase changed: key slot " + std::to_string(unlocked.slot) +
                  " replaced by slot " + std::to_string(number) + "\n");
  }
  return 0;
}

Result<int> key_remove(CommandContext& context, const KeyArguments& args) {
  TRY(refuse_flags(args, "remove", false, false));
  const auto& positionals = args.words;
  int number = -1;
  if (positionals.size() == 1) {
    try {
      std::size_t used = 0;
      number = std::stoi(positionals.front(), &used);
      if (used != positionals.front().size()) number = -1;
    } catch (const std::exception&) {
      number = -1;
    }
  }
  if (number < 0) return usage_error("dbkeep key remove needs one slot number (see key list)");
  TRY_ASSIGN(auto target, open_raw(context));
  TRY(unlock_configured(target));
  TRY(crypto::remove_slot(*target.raw, number));
  if (context.global().json) {
    context.print_json({{"removed_slot", number}});
  } else {
    context.print("removed key slot " + std::to_string(number) + "\n");
  }
  return 0;
}

}  // namespace

Result<int> key_command(CommandContext& context) {
  KeyArguments args;
  TRY_ASSIGN(args.key_file, context.args().option("--key-file"));
  TRY_ASSIGN(args.new_passphrase_file, context.args().option("--new-passphrase-file"));
  auto words = context.args().positionals();
  TRY(context.args().expect_empty("key"));
  if (words.empty()) {
    return usage_error("dbkeep key needs a subcommand: init, list, add, change or remove");
  }
  std::string sub = words.front();
  args.words.assign(words.begin() + 1, words.end());
  if (sub == "init") return key_init(context, args);
  if (sub == "list") return key_list(context, args);
  if (sub == "add") return key_add(context, args);
  if (sub == "change") return key_change(context, args);
  if (sub == "remove") return key_remove(context, args);
  return usage_error("unknown subcommand 'key " + sub +
                     "' (expected init, list, add, change or remove)");
}

}  // namespace dbkeep::cli
