// The snapshot method's stage hooks through the real dbkeep binary on a real btrfs volume:
// pre_backup → pre_lock → post_lock → post_snapshot → post_backup, each with its DBKEEP_*
// environment, none of them while the global lock is held (each hook writes a row to the server
// with a short lock_wait_timeout, which fails under FLUSH TABLES WITH READ LOCK), and a failing
// pre_lock hook that aborts the backup before any lock or snapshot.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "support/snapshot_workspace.hpp"

namespace dbkeep::test {
namespace {
namespace fs = std::filesystem;

class SnapshotHooksBtrfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = SnapshotWorkspace::unavailable_reason(); !reason.empty()) {
      GTEST_SKIP() << "snapshot hooks test skipped: " << reason;
    }
    auto workspace = SnapshotWorkspace::create();
    ASSERT_TRUE(workspace) << workspace.error().message;
    workspace_ = std::move(*workspace);
    workspace_->server().execute("CREATE DATABASE hooks");
    workspace_->server().execute("CREATE TABLE hooks.ran (stage VARCHAR(20))");
    write_hook_script();
  }

  fs::path hook_log() const { return workspace_->dir() / "hooks.log"; }
  fs::path hook_script() const { return workspace_->dir() / "hook.sh"; }

  // Appends a block "stage=…" + every DBKEEP_* variable to hooks.log, notes whether the
  // snapshot path is readable, and inserts a row with lock_wait_timeout = 2: under the global
  // read lock the insert times out and the hook fails. A shell script is the test's choice;
  // dbkeep runs the argument vector without a shell.
  void write_hook_script() const {
    std::ofstream(hook_script())
        << "#!/bin/sh\nset -e\n"
        << "{ echo \"stage=$1\"; env | grep '^DBKEEP_' | sort\n"
        << "  if [ -n \"$DBKEEP_SNAPSHOT_PATH\" ] && [ -f \"$DBKEEP_SNAPSHOT_PATH/ibdata1\" ]; "
        << "then echo snapshot_readable=yes; fi\n"
        << "  echo end; } >> " << hook_log().string() << "\n"
        << "case \"$1\" in pre_backup|post_backup|on_failure) exit 0;; esac\n"
        << "mariadb --socket=" << workspace_->server().socket().string()
        << " -uroot -e \"SET SESSION lock_wait_timeout = 2; "
        << "INSERT INTO hooks.ran VALUES ('$1')\"\n";
    fs::permissions(hook_script(), fs::perms(0755));
  }

  std::string hook(const std::string& stage) const {
    return stage + " = [\"" + hook_script().string() + "\", \"" + stage + "\"]\n";
  }

  void write_config(const std::string& hooks) const {
    workspace_->write_config();
    std::ofstream(workspace_->config(), std::ios::app) << "[set.hooks]\ntimeout_seconds = 60\n"
                                                       << hooks;
  }

  // The blocks of hooks.log in order, each as its variables (stage=… included).
  std::vector<std::map<std::string, std::string>> hook_runs() const {
    std::vector<std::map<std::string, std::string>> runs;
    std::ifstream in(hook_log());
    std::map<std::string, std::string> current;
    for (std::string line; std::getline(in, line);) {
      if (line == "end") {
        runs.push_back(std::move(current));
        current.clear();
        continue;
      }
      auto equals = line.find('=');
      if (equals != std::string::npos) current[line.substr(0, equals)] = line.substr(equals + 1);
    }
    return runs;
  }

  std::unique_ptr<SnapshotWorkspace> workspace_;
};

TEST_F(SnapshotHooksBtrfsTest, StageHooksRunInOrderOutsideTheLockWithTheBackupsFacts) {
  write_config(hook("pre_backup") + hook("pre_lock") + hook("post_lock") + hook("post_snapshot") +
               hook("post_backup") + hook("on_failure"));
  auto backup = workspace_->dbkeep_json({"backup"});
  ASSERT_EQ(backup["backups"].size(), 1U) << backup.dump();
  const std::string id = backup["backups"][0]["id"];
  auto manifest = workspace_->dbkeep_json({"show", id});
  const auto& facts = manifest["facts"];

  auto runs = hook_runs();
  std::vector<std::string> stages;
  for (auto& run : runs) stages.push_back(run["stage"]);
  EXPECT_EQ(stages, (std::vector<std::string>{"pre_backup", "pre_lock", "post_lock",
                                              "post_snapshot", "post_backup"}));
  ASSERT_EQ(runs.size(), 5U);
  for (auto& run : runs) {
    EXPECT_EQ(run["DBKEEP_HOOK"], run["stage"]);
    EXPECT_EQ(run["DBKEEP_STAGE"], run["stage"]);
    EXPECT_EQ(run["DBKEEP_SET"], "main");
  }
  for (int stage = 1; stage <= 3; ++stage) {
    auto& run = runs[stage];
    EXPECT_EQ(run["DBKEEP_STATUS"], "running") << run["stage"];
    EXPECT_EQ(run["DBKEEP_BACKUP_ID"], id) << run["stage"];
    EXPECT_EQ(run["DBKEEP_METHOD"], "snapshot");
    EXPECT_EQ(run["DBKEEP_SNAPSHOT_PROVIDER"], "btrfs");
    EXPECT_EQ(run["DBKEEP_SNAPSHOT_NAME"], facts["snapshot"]["name"]);
    EXPECT_EQ(run["DBKEEP_DATADIR"], facts["server"]["datadir"]);
  }
  EXPECT_FALSE(runs[1].contains("DBKEEP_LOCK_HELD_MS")) << "pre_lock runs before the lock";
  EXPECT_FALSE(runs[2].contains("DBKEEP_SNAPSHOT_PATH")) << "post_lock: not readable yet";
  for (int stage = 2; stage <= 3; ++stage) {
    auto& run = runs[stage];
    EXPECT_EQ(run["DBKEEP_LOCK_HELD_MS"], std::to_string(facts["lock"]["held_ms"].get<int>()));
    EXPECT_EQ(run["DBKEEP_LOCK_MODE"], "ftwrl");
    EXPECT_EQ(run["DBKEEP_BINLOG_FILE"], facts["binlog"]["file"]);
    EXPECT_EQ(run["DBKEEP_BINLOG_POSITION"],
              std::to_string(facts["binlog"]["position"].get<std::uint64_t>()));
  }
  EXPECT_EQ(runs[3]["snapshot_readable"], "yes") << "post_snapshot sees the snapshot's datadir";
  EXPECT_NE(runs[3]["DBKEEP_SNAPSHOT_PATH"].find(workspace_->snapshot_dir().string()),
            std::string::npos);
  EXPECT_EQ(runs[4]["DBKEEP_STATUS"], "success");
  EXPECT_EQ(runs[4]["DBKEEP_BACKUP_ID"], id);

  // Each stage hook wrote to the server, which it could not have done under the lock.
  auto connection = workspace_->server().connect_root();
  ASSERT_TRUE(connection);
  EXPECT_EQ(
      connection->query_single_value("SELECT GROUP_CONCAT(stage ORDER BY stage) FROM hooks.ran")
          .value(),
      "post_lock,post_snapshot,pre_lock");
  EXPECT_TRUE(fs::is_empty(workspace_->snapshot_dir())) << "the snapshot must be removed";
}

TEST_F(SnapshotHooksBtrfsTest, FailingPreLockHookAbortsBeforeLockAndSnapshot) {
  write_config("pre_lock = [\"false\"]\n" + hook("post_lock") + hook("post_snapshot") +
               hook("on_failure"));
  auto run = workspace_->dbkeep({"backup"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.stderr_text.find("pre_lock hook 'false' failed"), std::string::npos)
      << run.stderr_text;
  std::ifstream log_file(workspace_->dir() / "dbkeep.log");
  const std::string log((std::istreambuf_iterator<char>(log_file)),
                        std::istreambuf_iterator<char>());
  EXPECT_NE(log.find("pre_lock"), std::string::npos) << log;
  EXPECT_EQ(log.find("global lock"), std::string::npos) << "no lock may be taken: " << log;

  auto runs = hook_runs();
  std::vector<std::string> stages;
  for (auto& hook_run : runs) stages.push_back(hook_run["stage"]);
  EXPECT_EQ(stages, std::vector<std::string>{"on_failure"}) << "post hooks need a pre_lock";
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0]["DBKEEP_STATUS"], "failed");
  EXPECT_NE(runs[0]["DBKEEP_ERROR"].find("pre_lock"), std::string::npos);

  auto listed = workspace_->dbkeep_json({"list"});
  EXPECT_TRUE(listed["backups"].empty()) << listed.dump();
  EXPECT_TRUE(fs::is_empty(workspace_->snapshot_dir())) << "no snapshot may exist";
  EXPECT_FALSE(fs::exists(workspace_->repository() / ".state" / "main.resources.json"))
      << "nothing left to recover";
  auto connection = workspace_->server().connect_root();
  ASSERT_TRUE(connection);
  ASSERT_TRUE(connection->execute("SET SESSION lock_wait_timeout = 2"));
  EXPECT_TRUE(connection->execute("INSERT INTO hooks.ran VALUES ('after')")) << "server locked";
}

}  // namespace
}  // namespace dbkeep::test
