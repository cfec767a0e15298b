#include "dbkeep/crypto/key_slot.hpp"

#include <sodium.h>

#include <array>
#include <vector>

#include "dbkeep/core/bounded_json.hpp"
#include "dbkeep/core/time_format.hpp"

namespace dbkeep::crypto {
namespace {

using nlohmann::json;
using WrappingKey = std::array<std::uint8_t, crypto_aead_xchacha20poly1305_ietf_KEYBYTES>;

constexpr std::string_view kArgon2 = "argon2id13";
constexpr std::string_view kBlake2b = "blake2b-256";
constexpr std::string_view kWrapCipher = "xchacha20poly1305-ietf";

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

std::optional<std::vector<std::uint8_t>> from_hex(const std::string& text, std::size_t size) {
  std::vector<std::uint8_t> out(size);
  std::size_t length = 0;
  if (sodium_hex2bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, nullptr) !=
          0 ||
      length != size || text.size() != size * 2) {
    return std::nullopt;
  }
  return out;
}

// Binds the wrapped key to the key id recorded next to it.
std::string additional_data(const std::string& key_id) {
  return "dbkeep key slot v1 " + key_id;
}

// Derives the key that wraps the master key. Wiped by the caller.
Result<WrappingKey> wrapping_key(const json& kdf, const Credential& credential) {
  WrappingKey key{};
  const std::string& secret = credential.secret.reveal();
  if (credential.kind == SlotKind::kKeyFile) {
    crypto_generichash(key.data(), key.size(),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                       nullptr, 0);
    return key;
  }
  auto salt = from_hex(kdf.at("salt").get<std::string>(), crypto_pwhash_SALTBYTES);
  auto opslimit = kdf.at("opslimit").get<std::uint64_t>();
  auto memlimit = kdf.at("memlimit").get<std::uint64_t>();
  if (!salt || opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > crypto_pwhash_OPSLIMIT_MAX ||
      memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > (std::uint64_t{1} << 40)) {
    return fail("key slot has invalid Argon2id parameters", ErrorKind::kVerification);
  }
  if (crypto_pwhash(key.data(), key.size(), secret.data(), secret.size(), salt->data(), opslimit,
                    static_cast<std::size_t>(memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return fail("Argon2id needs " + std::to_string(memlimit >> 20) +
                " MiB of memory and could not get it");
  }
  return key;
}

}  // namespace

KdfLimits KdfLimits::moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}
KdfLimits KdfLimits::minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

std::string_view slot_kind_name(SlotKind kind) {
  return kind == SlotKind::kPassphrase ? "passphrase" : "keyfile";
}

Result<KeySlot> make_slot(int number, const pipeline::EncryptionKey& master,
                          const Credential& credential, const KdfLimits& limits) {
  pipeline::ensure_sodium();
  KeySlot slot;
  slot.number = number;
  slot.kind = credential.kind;
  slot.created_at = core::format_iso_utc(core::now_seconds());
  slot.key_id = master.id_hex();
  if (credential.kind == SlotKind::kPassphrase) {
    std::array<std::uint8_t, crypto_pwhash_SALTBYTES> salt{};
    randombytes_buf(salt.data(), salt.size());
    slot.kdf = {{"algorithm", kArgon2},
                {"opslimit", limits.opslimit},
                {"memlimit", limits.memlimit},
                {"salt", to_hex(salt)}};
  } else {
    slot.kdf = {{"algorithm", kBlake2b}};
  }
  TRY_ASSIGN(WrappingKey key, wrapping_key(slot.kdf, credential));
  std::array<std::uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  std::vector<std::uint8_t> wrapped(master.bytes().size() +
                                    crypto_aead_xchacha20poly1305_ietf_ABYTES);
  std::string ad = additional_data(slot.key_id);
  unsigned long long length = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(wrapped.data(), &length, master.bytes().data(),
                                             master.bytes().size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()),
                                             ad.size(), nullptr, nonce.data(), key.data());
  sodium_memzero(key.data(), key.size());
  slot.nonce_hex = to_hex(nonce);
  slot.wrapped_hex = to_hex(wrapped);
  return slot;
}

Result<std::optional<pipeline::EncryptionKey>> open_slot(const KeySlot& slot,
                                                         const Credential& credential) {
  pipeline::ensure_sodium();
  if (slot.kind != credential.kind) return std::optional<pipeline::EncryptionKey>{};
  auto nonce = from_hex(slot.nonce_hex, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  auto wrapped = from_hex(
      slot.wrapped_hex, pipeline::EncryptionKey::kSize + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  if (!nonce || !wrapped) {
    return fail("key slot " + std::to_string(slot.number) + " is malformed (nonce or key)",
                ErrorKind::kVerification);
  }
  Result<WrappingKey> key = fail("unreachable");
  try {
    key = wrapping_key(slot.kdf, credential);
  } catch (const nlohmann::json::exception&) {
    return fail("key slot " + std::to_string(slot.number) + " has malformed kdf parameters",
                ErrorKind::kVerification);
  }
  if (!key) return propagate(key.error().with_context("key slot " + std::to_string(slot.number)));
  std::array<std::uint8_t, pipeline::EncryptionKey::kSize> master{};
  std::string ad = additional_data(slot.key_id);
  unsigned long long length = 0;
  int opened = crypto_aead_xchacha20poly1305_ietf_decrypt(
      master.data(), &length, nullptr, wrapped->data(), wrapped->size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce->data(), key->data());
  sodium_memzero(key->data(), key->size());
  if (opened != 0) return std::optional<pipeline::EncryptionKey>{};
  auto result = pipeline::EncryptionKey::from_bytes(master);
  sodium_memzero(master.data(), master.size());
  return std::optional<pipeline::EncryptionKey>{std::move(result)};
}

json slot_to_json(const KeySlot& slot) {
  return {
      {"format", 1},
      {"slot", slot.number},
      {"kind", slot_kind_name(slot.kind)},
      {"created_at", slot.created_at},
      {"key_id", slot.key_id},
      {"kdf", slot.kdf},
      {"wrap", {{"algorithm", kWrapCipher}, {"nonce", slot.nonce_hex}, {"key", slot.wrapped_hex}}}};
}

Result<KeySlot> slot_from_json(std::string_view text, const std::string& where) {
  auto parsed = core::parse_bounded_json(text);
  if (!parsed || !parsed->is_object()) {
    return fail(where + ": key slot " +
                    core::describe(parsed ? core::JsonProblem::kInvalid : parsed.error()),
                ErrorKind::kVerification);
  }
  json& document = *parsed;
  try {
    if (document.at("format").get<int>() != 1) {
      return fail(where + ": key slot format is newer than this dbkeep understands");
    }
    KeySlot slot;
    slot.number = document.at("slot").get<int>();
    auto kind = document.at("kind").get<std::string>();
    if (kind != "passphrase" && kind != "keyfile") {
      return fail(where + ": unknown key slot kind '" + kind + "'", ErrorKind::kVerification);
    }
    slot.kind = kind == "passphrase" ? SlotKind::kPassphrase : SlotKind::kKeyFile;
    slot.created_at = document.value("created_at", "");
    slot.key_id = document.at("key_id").get<std::string>();
    slot.kdf = document.at("kdf");
    auto expected_kdf = slot.kind == SlotKind::kPassphrase ? kArgon2 : kBlake2b;
    if (slot.kdf.at("algorithm").get<std::string>() != expected_kdf ||
        document.at("wrap").at("algorithm").get<std::string>() != kWrapCipher) {
      return fail(where + ": key slot uses an unknown algorithm", ErrorKind::kVerification);
    }
    slot.nonce_hex = document.at("wrap").at("nonce").get<std::string>();
    slot.wrapped_hex = document.at("wrap").at("key").get<std::string>();
    return slot;
  } catch (const json::exception& problem) {
    return fail(
        where + ": key slot has a missing or malformed field (" + std::string(problem.what()) + ")",
        ErrorKind::kVerification);
  }
}

}  // namespace dbkeep::crypto
