// `dbkeep schedule` and `dbkeep daemon` through the real binary, on a SQLite set.

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/ops/atomic_file.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/temp_dir.hpp"
#include "support/text_files.hpp"

namespace dbkeep::test {
namespace {

namespace fs = std::filesystem;

TEST(OperationsCliTest, DaemonOnceBacksUpEverySetAndRecordsTheRun) {
  SqliteWorkspace workspace("[set.schedule]\ncron = \"*/5 * * * *\"\n");
  workspace.fill(100, 200, true);
  auto before = workspace.dbkeep({"status", "--max-age", "26h"});
  EXPECT_EQ(before.exit_code, 1);
  EXPECT_NE(before.stdout_text.find("app: never run"), std::string::npos) << before.stdout_text;

  auto run = workspace.dbkeep({"daemon", "--once"});
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stdout_text.find("1 of 1 sets backed up"), std::string::npos) << run.stdout_text;
  EXPECT_EQ(workspace.listed_ids().size(), 1u);
  auto state = nlohmann::json::parse(read_file(workspace.dir() / "state/daemon.json"));
  EXPECT_TRUE(state["last_run"].contains("app")) << state.dump();
  auto record = nlohmann::json::parse(read_file(workspace.dir() / "state/runs/app.json"));
  EXPECT_EQ(record["status"], "success");
  EXPECT_EQ(record["backup_id"], workspace.listed_ids().front());

  auto after = workspace.dbkeep({"status", "--max-age", "26h"});
  EXPECT_EQ(after.exit_code, 0) << after.stdout_text << after.stderr_text;
  EXPECT_NE(after.stdout_text.find("app: last run success at "), std::string::npos)
      << after.stdout_text;
}

TEST(OperationsCliTest, ScheduleInstallRunsAsTheNamedUserAndRefusesAnUnknownOne) {
  SqliteWorkspace workspace("[set.schedule]\ncron = \"0 3 * * *\"\n");
  const auto root = workspace.dir() / "root";
  auto installed =
      workspace.dbkeep({"schedule", "install", "--root", root.string(), "--user", "nobody"});
  ASSERT_EQ(installed.exit_code, 0) << installed.stderr_text;
  EXPECT_NE(read_file(root / "etc/cron.d/dbkeep").find("\n0 3 * * * nobody "), std::string::npos);

  for (const char* user : {"no-such-account-here", "nobody:nogroup", "65534"}) {
    auto refused = workspace.dbkeep(
        {"schedule", "install", "--root", (workspace.dir() / "other").string(), "--user", user});
    EXPECT_EQ(refused.exit_code, 2) << user;
    EXPECT_NE(refused.stderr_text.find("not the name of an account"), std::string::npos)
        << refused.stderr_text;
    EXPECT_FALSE(fs::exists(workspace.dir() / "other"));
  }
}

TEST(OperationsCliTest, DaemonRefusesAnInvalidScheduleBeforeRunningAnything) {
  SqliteWorkspace workspace("[set.schedule]\ncron = \"0 2 * * mon-sun-x\"\n");
  workspace.fill(10, 10, false);
  auto run = workspace.dbkeep({"daemon", "--once"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.stderr_text.find("[set 'app'] schedule.cron"), std::string::npos)
      << run.stderr_text;
  EXPECT_TRUE(workspace.listed_ids().empty());
}

TEST(OperationsCliTest, DaemonStopsCleanlyOnSigterm) {
  SqliteWorkspace workspace("[set.schedule]\ncron = \"0 2 * * *\"\n");
  workspace.fill(10, 10, false);
  auto child = core::ChildProcess::spawn(
      {.argv = {DBKEEP_BINARY, "--config", workspace.config().string(), "daemon"}});
  ASSERT_TRUE(child) << child.error().message;
  auto log = workspace.dir() / "dbkeep.log";
  for (int i = 0; i < 600 && read_file(log).find("daemon started") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(read_file(log).find("daemon started"), std::string::npos) << read_file(log);
  ::kill(child->pid(), SIGTERM);
  auto status = child->wait();
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->success()) << status->describe();
  EXPECT_NE(read_file(log).find("daemon stopped"), std::string::npos);
}

// status shows runs that failed in a row (and the JSON record carries the count); a success
// resets it.
TEST(OperationsCliTest, StatusCountsFailedRunsInARow) {
  SqliteWorkspace workspace("[set.hooks]\npre_backup = ['false']\n");
  workspace.fill(10, 10, true);
  EXPECT_NE(workspace.dbkeep({"backup"}).exit_code, 0);
  EXPECT_NE(workspace.dbkeep({"backup"}).exit_code, 0);
  auto status = workspace.dbkeep({"status"});
  EXPECT_TRUE(contains(status.stdout_text, "2 failed runs in a row")) << status.stdout_text;
  auto json = workspace.dbkeep_json({"status"});
  EXPECT_EQ(json["sets"][0]["consecutive_failures"], 2);
  EXPECT_EQ(json["sets"][0]["attempts"], 1);
}

// [daemon] run_at_start: one backup of every set at start (before the first cron time), then
// the schedule; SIGTERM still ends it cleanly.
TEST(OperationsCliTest, DaemonRunAtStartBacksUpAtOnceThenWaitsForTheSchedule) {
  SqliteWorkspace workspace("[set.schedule]\ncron = \"0 2 1 1 *\"\n");
  workspace.fill(10, 10, true);
  std::ofstream(workspace.config(), std::ios::app) << "[daemon]\nrun_at_start = true\n";
  auto child = core::ChildProcess::spawn(
      {.argv = {DBKEEP_BINARY, "--config", workspace.config().string(), "daemon"}});
  ASSERT_TRUE(child) << child.error().message;
  for (int i = 0; i < 600 && workspace.listed_ids().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(workspace.listed_ids().size(), 1u);
  auto log = workspace.dir() / "dbkeep.log";
  EXPECT_NE(read_file(log).find("run_at_start: backing up every set now"), std::string::npos)
      << read_file(log);
  ::kill(child->pid(), SIGTERM);
  auto status = child->wait();
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->success()) << status->describe();
  EXPECT_EQ(workspace.listed_ids().size(), 1u) << "then nothing until the first of January";
  EXPECT_NE(read_file(log).find("daemon stopped"), std::string::npos);
}

TEST(OperationsCliTest, ScheduleInstallShowRemoveInATemporaryRoot) {
  SqliteWorkspace workspace("[set.schedule]\ncron = \"15 3 * * sun\"\n");
  auto root = make_temp_dir();
  auto install = workspace.dbkeep(
      {"schedule", "install", "--root", root.path().string(), "--name", "mysql-backup"});
  ASSERT_EQ(install.exit_code, 0) << install.stderr_text;
  auto cron_file = root.path() / "etc/cron.d/mysql-backup";
  std::string content = read_file(cron_file);
  EXPECT_NE(content.find("\n15 3 * * sun root " + std::string(DBKEEP_BINARY) + " --config " +
                         workspace.config().string() + " --quiet backup --set app\n"),
            std::string::npos)
      << content;

  auto again = workspace.dbkeep(
      {"schedule", "install", "--root", root.path().string(), "--name", "mysql-backup"});
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_NE(again.stdout_text.find("unchanged " + cron_file.string()), std::string::npos);

  auto show = workspace.dbkeep(
      {"--json", "schedule", "show", "--root", root.path().string(), "--name", "mysql-backup"});
  ASSERT_EQ(show.exit_code, 0) << show.stderr_text;
  auto shown = json_of(show);
  EXPECT_EQ(shown["installed"][0]["content"], content);
  ASSERT_EQ(shown["sets"][0]["next_runs"].size(), 3u);
  for (const auto& time : shown["sets"][0]["next_runs"]) {
    EXPECT_NE(time.get<std::string>().find("T03:15:00Z"), std::string::npos) << time;
  }

  auto remove = workspace.dbkeep(
      {"schedule", "remove", "--root", root.path().string(), "--name", "mysql-backup"});
  ASSERT_EQ(remove.exit_code, 0);
  EXPECT_FALSE(fs::exists(cron_file));
}

// Debian's cron reads /etc/cron.d lines as "time-fields user command"; `crontab -n` checks the
// same time-field and command syntax for a user crontab (no user field). So drop the user
// field of each job line and let the real cron package judge the rest.
std::string as_user_crontab(const std::string& cron_d) {
  std::istringstream lines(cron_d);
  std::string line, converted;
  while (std::getline(lines, line)) {
    if (!line.empty() && line[0] != '#' && line.find('=') == std::string::npos) {
      std::istringstream words(line);
      std::vector<std::string> fields;
      for (std::string word; words >> word;) fields.push_back(word);
      std::size_t user = fields[0].starts_with("@") ? 1 : 5;  // @daily root cmd…
      EXPECT_GT(fields.size(), user + 1) << line;
      if (fields.size() <= user + 1) continue;
      EXPECT_EQ(fields[user], "root") << line;
      std::size_t at = 0;
      for (std::size_t i = 0; i <= user; ++i) at = line.find(fields[i], at) + fields[i].size();
      auto before_user = line.rfind(fields[user], at);
      line = line.substr(0, before_user) + line.substr(at + 1);
    }
    converted += line + "\n";
  }
  return converted;
}

core::CommandResult crontab_check(const fs::path& dir, const std::string& crontab) {
  auto file = dir / "crontab";
  EXPECT_TRUE(ops::write_file_atomically(file, crontab));
  core::SystemCommandRunner runner;
  auto checked = runner.run({.argv = {"crontab", "-n", file.string()}});
  EXPECT_TRUE(checked);
  return checked ? *checked : core::CommandResult{};
}

TEST(OperationsCliTest, CronFileIsAcceptedByDebiansCron) {
  if (!fs::exists("/usr/bin/crontab")) GTEST_SKIP() << "Debian's cron is not installed";
  SqliteWorkspace workspace("[set.schedule]\ncron = \"*/15 9-17/2 1,15 jan-jun mon-fri\"\n");
  std::ofstream(workspace.config(), std::ios::app)
      << "[[set]]\nname = \"daily\"\nsource = \"sqlite\"\n[set.sqlite]\npath = \"/srv/x.db\"\n"
         "[set.schedule]\ncron = \"@daily\"\n";
  auto root = make_temp_dir();
  auto install = workspace.dbkeep({"schedule", "install", "--root", root.path().string()});
  ASSERT_EQ(install.exit_code, 0) << install.stderr_text;
  std::string content = read_file(root.path() / "etc/cron.d/dbkeep");
  std::string crontab = as_user_crontab(content);
  EXPECT_NE(crontab.find("@daily " + std::string(DBKEEP_BINARY)), std::string::npos) << crontab;
  auto accepted = crontab_check(root.path(), crontab);
  EXPECT_TRUE(accepted.success()) << content << accepted.stderr_text;

  // The check can fail: cron refuses an hour of 25 written the same way.
  auto refused = crontab_check(root.path(), as_user_crontab("0 25 * * * root /bin/true\n"));
  EXPECT_FALSE(refused.success());
  EXPECT_NE(refused.stderr_text.find("bad hour"), std::string::npos) << refused.stderr_text;
}

TEST(OperationsCliTest, SystemdUnitsPassSystemdAnalyzeVerify) {
  if (!fs::exists("/usr/bin/systemd-analyze")) GTEST_SKIP() << "systemd-analyze not installed";
  SqliteWorkspace workspace("[set.schedule]\ncron = \"0 0 13 * fri\"\n");
  auto root = make_temp_dir();
  auto install =
      workspace.dbkeep({"schedule", "install", "--systemd", "--root", root.path().string()});
  ASSERT_EQ(install.exit_code, 0) << install.stderr_text;
  auto units = root.path() / "etc/systemd/system";
  EXPECT_NE(read_file(units / "dbkeep@app.timer").find("OnCalendar=Fri *-*-* 00:00:00"),
            std::string::npos);
  core::SystemCommandRunner runner;
  // The timer pulls in dbkeep@app.service from the template through SYSTEMD_UNIT_PATH.
  auto verify = runner.run(
      {.argv = {"systemd-analyze", "verify", "--man=no", (units / "dbkeep@app.timer").string()},
       .extra_env = {{"SYSTEMD_UNIT_PATH", units.string() + ":"}}});
  ASSERT_TRUE(verify);
  if (verify->stderr_text.find("System has not been booted with systemd") != std::string::npos) {
    GTEST_SKIP() << "systemd-analyze verify needs a systemd-booted system";
  }
  EXPECT_TRUE(verify->success()) << verify->stdout_text << verify->stderr_text;
  // verify exits 0 even for an unparsable OnCalendar=; it only warns.
  EXPECT_EQ(verify->stderr_text, "");
}

}  // namespace
}  // namespace dbkeep::test
