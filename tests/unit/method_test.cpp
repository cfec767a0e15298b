#include "dbkeep/core/method.hpp"

#include <gtest/gtest.h>

#include "dbkeep/core/config_enums.hpp"

namespace dbkeep::core {
namespace {

TEST(MethodTest, EveryMethodIsInTheTableOnceAndItsNameParsesBack) {
  for (auto method : {Method::kOnline, Method::kSnapshot, Method::kLogical, Method::kPhysical}) {
    const auto& traits = method_traits(method);
    EXPECT_EQ(traits.method, method);
    EXPECT_EQ(parse_method(to_string(method)), method);
  }
  EXPECT_EQ(all_methods().size(), 4U);
  EXPECT_FALSE(parse_method("Snapshot"));
  EXPECT_FALSE(parse_method(""));
}

TEST(MethodTest, SourcesAndRestoreTargets) {
  EXPECT_EQ(method_traits(Method::kOnline).source, SourceKind::kSqlite);
  EXPECT_EQ(method_traits(Method::kOnline).restore_target, RestoreTarget::kSqliteFile);
  EXPECT_EQ(method_traits(Method::kSnapshot).restore_target, RestoreTarget::kDatadir);
  EXPECT_EQ(method_traits(Method::kPhysical).restore_target, RestoreTarget::kDatadir);
  EXPECT_EQ(method_traits(Method::kLogical).restore_target, RestoreTarget::kServer);
  EXPECT_TRUE(method_traits(Method::kSnapshot).needs_crash_recovery);
  EXPECT_FALSE(method_traits(Method::kPhysical).needs_crash_recovery);
  EXPECT_EQ(methods_of(SourceKind::kMysql), "snapshot, logical, physical");
  EXPECT_EQ(methods_of(SourceKind::kSqlite), "online");
  EXPECT_EQ(parse_source_kind("mysql"), SourceKind::kMysql);
  EXPECT_FALSE(parse_source_kind("postgres"));
}

TEST(ConfigEnumsTest, NamesRoundTripAndChoicesReadAsASentence) {
  for (auto mode : {LockMode::kFlushTablesWithReadLock, LockMode::kBackupStage, LockMode::kNone}) {
    EXPECT_EQ(parse_lock_mode(to_string(mode)), mode);
  }
  for (auto mode : {EncryptionMode::kNone, EncryptionMode::kRepokey, EncryptionMode::kKeyfile}) {
    EXPECT_EQ(parse_encryption_mode(to_string(mode)), mode);
  }
  for (auto provider : {SnapshotProvider::kLvm, SnapshotProvider::kBtrfs, SnapshotProvider::kZfs}) {
    EXPECT_EQ(parse_snapshot_provider(to_string(provider)), provider);
  }
  EXPECT_EQ(lock_mode_choices(true), "ftwrl, backup_stage or none");
  EXPECT_EQ(lock_mode_choices(false), "ftwrl or backup_stage");
  EXPECT_EQ(long_query_action_choices(), "wait, fail or kill");
  EXPECT_EQ(non_transactional_choices(), "lock, warn or fail");
  EXPECT_EQ(snapshot_provider_choices(), "lvm, btrfs or zfs");
  EXPECT_FALSE(parse_lock_mode("FTWRL"));
}

}  // namespace
}  // namespace dbkeep::core
