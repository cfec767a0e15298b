#include "dbkeep/core/config_enums.hpp"

#include <array>

#include "dbkeep/core/enum_names.hpp"

namespace dbkeep::core {
namespace {

// "none" last: [set.mysql] lock accepts only the first two (lock_mode_choices).
constexpr std::array<EnumName<LockMode>, 3> kLockModes{{
    {LockMode::kFlushTablesWithReadLock, "ftwrl"},
    {LockMode::kBackupStage, "backup_stage"},
    {LockMode::kNone, "none"},
}};
constexpr std::array<EnumName<LongQueryAction>, 3> kLongQueryActions{{
    {LongQueryAction::kWait, "wait"},
    {LongQueryAction::kFail, "fail"},
    {LongQueryAction::kKill, "kill"},
}};
constexpr std::array<EnumName<NonTransactional>, 3> kNonTransactional{{
    {NonTransactional::kLock, "lock"},
    {NonTransactional::kWarn, "warn"},
    {NonTransactional::kFail, "fail"},
}};
constexpr std::array<EnumName<EncryptionMode>, 3> kEncryptionModes{{
    {EncryptionMode::kNone, "none"},
    {EncryptionMode::kRepokey, "repokey"},
    {EncryptionMode::kKeyfile, "keyfile"},
}};
constexpr std::array<EnumName<SnapshotProvider>, 3> kSnapshotProviders{{
    {SnapshotProvider::kLvm, "lvm"},
    {SnapshotProvider::kBtrfs, "btrfs"},
    {SnapshotProvider::kZfs, "zfs"},
}};

}  // namespace

std::string_view to_string(LockMode mode) {
  return enum_name<LockMode>(kLockModes, mode);
}
std::string_view to_string(LongQueryAction action) {
  return enum_name<LongQueryAction>(kLongQueryActions, action);
}
std::string_view to_string(NonTransactional policy) {
  return enum_name<NonTransactional>(kNonTransactional, policy);
}
std::string_view to_string(EncryptionMode mode) {
  return enum_name<EncryptionMode>(kEncryptionModes, mode);
}
std::string_view to_string(SnapshotProvider provider) {
  return enum_name<SnapshotProvider>(kSnapshotProviders, provider);
}

std::optional<LockMode> parse_lock_mode(std::string_view name) {
  return parse_enum<LockMode>(kLockModes, name);
}
std::optional<LongQueryAction> parse_long_query_action(std::string_view name) {
  return parse_enum<LongQueryAction>(kLongQueryActions, name);
}
std::optional<NonTransactional> parse_non_transactional(std::string_view name) {
  return parse_enum<NonTransactional>(kNonTransactional, name);
}
std::optional<EncryptionMode> parse_encryption_mode(std::string_view name) {
  return parse_enum<EncryptionMode>(kEncryptionModes, name);
}
std::optional<SnapshotProvider> parse_snapshot_provider(std::string_view name) {
  return parse_enum<SnapshotProvider>(kSnapshotProviders, name);
}

std::string lock_mode_choices(bool allow_none) {
  return allow_none ? enum_choices<LockMode>(kLockModes)
                    : enum_choices<LockMode>(std::span(kLockModes).first(2));
}
std::string long_query_action_choices() {
  return enum_choices<LongQueryAction>(kLongQueryActions);
}
std::string non_transactional_choices() {
  return enum_choices<NonTransactional>(kNonTransactional);
}
std::string encryption_mode_choices() {
  return enum_choices<EncryptionMode>(kEncryptionModes);
}
std::string snapshot_provider_choices() {
  return enum_choices<SnapshotProvider>(kSnapshotProviders);
}

}  // namespace dbkeep::core
