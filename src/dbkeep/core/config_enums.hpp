#pragma once
// The enumerated values of the configuration, parsed once when it is loaded (config.cpp) and
// passed on as types. Each has one table of names: to_string() prints what parse_*() reads.

#include <optional>
#include <string>
#include <string_view>

namespace dbkeep::core {

// How a MySQL source blocks writes for its consistent point (docs/snapshot.md, docs/logical.md).
enum class LockMode {
  kFlushTablesWithReadLock,  // "ftwrl": FLUSH TABLES WITH READ LOCK; every flavor; blocks writes
  kBackupStage,  // "backup_stage": MariaDB >= 10.4 BACKUP STAGE START + BLOCK_COMMIT; only commits
  kNone,         // "none": no lock; only for sources consistent by themselves ([set.logical])
};

// What a snapshot or logical backup does about statements running long enough to block the lock.
enum class LongQueryAction {
  kWait,  // "wait": wait up to long_query_max_wait for them to finish, then fail
  kFail,  // "fail": fail at once, listing them
  kKill,  // "kill": KILL QUERY them and go on
};

// [set.logical] non_transactional: tables a consistent snapshot cannot cover (MyISAM, Aria…).
enum class NonTransactional { kLock, kWarn, kFail };

// [repository] encryption (docs/encryption.md).
enum class EncryptionMode { kNone, kRepokey, kKeyfile };

// [set.snapshot] provider.
enum class SnapshotProvider { kLvm, kBtrfs, kZfs };

std::string_view to_string(LockMode mode);
std::string_view to_string(LongQueryAction action);
std::string_view to_string(NonTransactional policy);
std::string_view to_string(EncryptionMode mode);
std::string_view to_string(SnapshotProvider provider);

std::optional<LockMode> parse_lock_mode(std::string_view name);
std::optional<LongQueryAction> parse_long_query_action(std::string_view name);
std::optional<NonTransactional> parse_non_transactional(std::string_view name);
std::optional<EncryptionMode> parse_encryption_mode(std::string_view name);
std::optional<SnapshotProvider> parse_snapshot_provider(std::string_view name);

// "ftwrl, backup_stage or none" — every accepted name, for messages.
std::string lock_mode_choices(bool allow_none);
std::string long_query_action_choices();
std::string non_transactional_choices();
std::string encryption_mode_choices();
std::string snapshot_provider_choices();

}  // namespace dbkeep::core
