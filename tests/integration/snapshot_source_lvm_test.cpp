// The snapshot source driving an LVM snapshot against a real MariaDB, with the LVM commands
// replayed through a RecordingCommandRunner (no device-mapper here). The "mounted snapshot" is
// the live filesystem, since mount is recorded, not run: these tests check the sequence and the
// lock, not the copy's consistency (the btrfs tests do that for real).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/backup_session.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/source/mysql/snapshot_source.hpp"
#include "dbkeep/storage/local_backend.hpp"
#include "support/mariadb_test_suite.hpp"
#include "support/recording_command_runner.hpp"
#include "support/scratch_directory.hpp"

namespace dbkeep::source::mysql {
namespace {
namespace fs = std::filesystem;
using test::failed;
using test::ok;
using ::testing::HasSubstr;

class SnapshotSourceLvmTest : public test::MariaDbTestSuite {
 protected:
  void SetUp() override {
    MariaDbTestSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    core::reset_cancellation_for_testing();
    server().execute("CREATE DATABASE IF NOT EXISTS lvm");
    server().execute("CREATE TABLE IF NOT EXISTS lvm.t (id INT AUTO_INCREMENT PRIMARY KEY)");
    live_root_ = server().datadir().parent_path();
    runner_->on({"findmnt"}).always(ok(live_root_.string() + "\n"));
    runner_->on({"lvs", "--noheadings", "--units", "b", "--nosuffix"})
        .always(ok("  vg_mysql lv_data 107374182400\n"));
    runner_->on({"lvcreate"});
    runner_->on({"blkid"}).always(ok("xfs\n"));
    runner_->on({"mount"});
    runner_->on({"mountpoint"}).always(failed(1, ""));
    runner_->on({"lvs", "--noheadings", "-o", "lv_attr,data_percent"})
        .always(ok("  swi-a-s---   3.50\n"));
    runner_->on({"umount"});
    runner_->on({"lvremove"});
  }

  SnapshotSourceSettings settings() const {
    SnapshotSourceSettings settings;
    settings.set = "main";
    settings.mysql.socket = server().socket().string();
    settings.mysql.user = "root";
    settings.mysql.lock_wait_timeout_s = 1;
    settings.mysql.lock_attempts = 1;
    settings.snapshot.provider = "lvm";
    settings.snapshot.volumes = {"/dev/vg_mysql/lv_data"};
    settings.snapshot.size = 1ull << 30;
    settings.snapshot.mount_point = live_root_;  // see the file comment
    settings.journal_file = scratch_.path() / "state" / "main.resources.json";
    settings.repository_path = scratch_.path() / "repo";
    return settings;
  }

  Result<void> run_backup(nlohmann::json* facts = nullptr) {
    repo::Repository repository(std::make_unique<storage::LocalBackend>(scratch_.path() / "repo"));
    SnapshotSource source(settings(), runner_);
    TRY(source.estimate());
    repo::Manifest draft;
    draft.set = "main";
    draft.source = "mysql";
    draft.method = "snapshot";
    draft.started_at = core::now_seconds();
    TRY_ASSIGN(draft.id, repository.reserve_id("main", draft.started_at));
    repo::BackupSession session(repository, std::move(draft), repo::SessionOptions{});
    TRY(source.run(session));
    if (facts) *facts = session.facts();
    TRY(session.commit());
    return {};
  }

  std::ptrdiff_t position_of(const std::string& prefix) const {
    auto lines = runner_->command_lines();
    auto found = std::ranges::find_if(
        lines, [&](const std::string& line) { return line.starts_with(prefix); });
    return found == lines.end() ? -1 : found - lines.begin();
  }

  void expect_server_writable() {
    auto writer = server().connect_root();
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->execute("SET SESSION lock_wait_timeout = 1"));
    auto inserted = writer->execute("INSERT INTO lvm.t VALUES ()");
    EXPECT_TRUE(inserted) << "global lock still held: " << inserted.error().message;
  }

  test::ScratchDirectory scratch_;
  fs::path live_root_;
  std::shared_ptr<test::RecordingCommandRunner> runner_ =
      std::make_shared<test::RecordingCommandRunner>();
};

TEST_F(SnapshotSourceLvmTest, HappyPathCreatesMountsCopiesAndRemovesInOrder) {
  nlohmann::json facts;
  auto done = run_backup(&facts);
  ASSERT_TRUE(done) << done.error().message;
  const auto create = position_of("lvcreate --snapshot --size 1g --name dbkeep_main_");
  const auto mount = position_of("mount -t xfs -o ro,nouuid,norecovery /dev/vg_mysql/dbkeep_main_");
  const auto health = position_of("lvs --noheadings -o lv_attr,data_percent");
  const auto umount = position_of("umount " + live_root_.string());
  const auto remove = position_of("lvremove -f vg_mysql/dbkeep_main_");
  EXPECT_GE(create, 0);
  EXPECT_GT(mount, create);
  EXPECT_GT(health, mount);
  EXPECT_GT(umount, health);
  EXPECT_GT(remove, umount);
  EXPECT_EQ(facts["snapshot"]["provider"], "lvm");
  EXPECT_TRUE(facts["lock_held_ms"].is_number());
  EXPECT_FALSE(fs::exists(settings().journal_file)) << "journal must be empty after success";
  expect_server_writable();
}

TEST_F(SnapshotSourceLvmTest, LvcreateFailureReleasesTheLockAndCreatesNothing) {
  runner_->on({"lvcreate"}).then(failed(5, "  Insufficient free space: 256 extents needed"));
  auto done = run_backup();
  ASSERT_FALSE(done);
  EXPECT_THAT(done.error().message, HasSubstr("Insufficient free space"));
  EXPECT_EQ(position_of("mount"), -1);
  expect_server_writable();
  EXPECT_FALSE(fs::exists(settings().journal_file)) << "nothing was created, nothing journalled";
}

TEST_F(SnapshotSourceLvmTest, SnapshotFillingUpFailsTheBackupAndRemovesIt) {
  runner_->on({"lvs", "--noheadings", "-o", "lv_attr,data_percent"})
      .always(ok("  swi-a-s---  97.00\n"));
  auto done = run_backup();
  ASSERT_FALSE(done);
  EXPECT_THAT(done.error().message, HasSubstr("full"));
  EXPECT_GE(position_of("lvremove -f vg_mysql/dbkeep_main_"), 0);
  expect_server_writable();
}

}  // namespace
}  // namespace dbkeep::source::mysql
