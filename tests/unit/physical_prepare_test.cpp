// The --prepare sequence of a physical restore, for both tools: the full backup first, then
// each incremental in order; xtrabackup keeps uncommitted transactions until the last step.

#include <gtest/gtest.h>

#include "dbkeep/restore/physical_restore.hpp"

namespace dbkeep::restore {
namespace {

using Argv = std::vector<std::string>;

TEST(PhysicalPrepareCommandsTest, XtrabackupAppliesLogOnlyOnEveryStepButTheLast) {
  auto commands = prepare_commands("xtrabackup", "/r/base", {"/r/inc1", "/r/inc2"});
  ASSERT_EQ(commands.size(), 3U);
  EXPECT_EQ(commands[0], (Argv{"xtrabackup", "--no-defaults", "--prepare", "--target-dir=/r/base",
                               "--apply-log-only"}));
  EXPECT_EQ(commands[1], (Argv{"xtrabackup", "--no-defaults", "--prepare", "--target-dir=/r/base",
                               "--apply-log-only", "--incremental-dir=/r/inc1"}));
  EXPECT_EQ(commands[2], (Argv{"xtrabackup", "--no-defaults", "--prepare", "--target-dir=/r/base",
                               "--incremental-dir=/r/inc2"}));
}

TEST(PhysicalPrepareCommandsTest, MariabackupNeverGetsApplyLogOnly) {
  auto commands = prepare_commands("mariabackup", "/r/base", {"/r/inc1"});
  ASSERT_EQ(commands.size(), 2U);
  EXPECT_EQ(commands[0],
            (Argv{"mariabackup", "--no-defaults", "--prepare", "--target-dir=/r/base"}));
  EXPECT_EQ(commands[1], (Argv{"mariabackup", "--no-defaults", "--prepare", "--target-dir=/r/base",
                               "--incremental-dir=/r/inc1"}));
}

TEST(PhysicalPrepareCommandsTest, AFullBackupAloneIsOnePlainPrepare) {
  EXPECT_EQ(
      prepare_commands("xtrabackup", "/r/base", {}),
      (std::vector<Argv>{{"xtrabackup", "--no-defaults", "--prepare", "--target-dir=/r/base"}}));
}

}  // namespace
}  // namespace dbkeep::restore
