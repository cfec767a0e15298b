#include "dbkeep/ops/schedule_files.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/ops/atomic_file.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::ops {
namespace {

namespace fs = std::filesystem;

core::Config config_with(std::vector<std::pair<std::string, std::string>> sets) {
  core::Config config;
  for (auto& [name, cron] : sets) {
    core::SetConfig set;
    set.name = name;
    set.schedule.cron = cron;
    config.sets.push_back(set);
  }
  return config;
}

class ScheduleFilesTest : public ::testing::Test {
 protected:
  ScheduleFilesTest() {
    target.root = root.path();
    target.binary = "/usr/local/bin/dbkeep";
    target.config_file = "/etc/dbkeep/dbkeep.toml";
  }
  std::string read(const fs::path& path) { return read_whole_file(path).value_or("<missing>"); }

  core::TempDir root = test::make_temp_dir();
  ScheduleTarget target;
};

TEST_F(ScheduleFilesTest, CronFileHasOneLinePerSetAndIsIdempotent) {
  auto config = config_with({{"main", "0 2 * * *"}, {"sessions", "0 */6 * * *"}});
  auto first = install_schedule(config, target);
  ASSERT_TRUE(first) << first.error().message;
  auto path = root.path() / "etc/cron.d/dbkeep";
  ASSERT_EQ(first->written, std::vector<fs::path>{path});
  std::string content = read(path);
  EXPECT_TRUE(content.starts_with(kScheduleMarker));
  EXPECT_NE(content.find("\nPATH=/usr/local/sbin:"), std::string::npos);
  EXPECT_NE(content.find("\n0 2 * * * root /usr/local/bin/dbkeep --config "
                         "/etc/dbkeep/dbkeep.toml --quiet backup --set main\n"),
            std::string::npos)
      << content;
  EXPECT_NE(content.find("\n0 */6 * * * root "), std::string::npos);
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::others_read);

  auto second = install_schedule(config, target);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->written.empty());
  EXPECT_EQ(second->unchanged, std::vector<fs::path>{path});
  EXPECT_EQ(read(path), content);
}

// schedule install --user NAME: cron's user field and systemd's User= name the account.
TEST_F(ScheduleFilesTest, AnotherUserIsNamedInTheCronLineAndTheServiceUnit) {
  auto config = config_with({{"main", "0 2 * * *"}});
  target.user = "backup";
  ASSERT_TRUE(install_schedule(config, target));
  EXPECT_NE(
      read(root.path() / "etc/cron.d/dbkeep").find("\n0 2 * * * backup /usr/local/bin/dbkeep"),
      std::string::npos);
  target.systemd = true;
  ASSERT_TRUE(install_schedule(config, target));
  const std::string service = read(root.path() / "etc/systemd/system/dbkeep@.service");
  EXPECT_NE(service.find("\nUser=backup\nExecStart="), std::string::npos) << service;
}

TEST_F(ScheduleFilesTest, InvalidCronIsRefusedBeforeAnythingIsWritten) {
  auto config = config_with({{"main", "0 2 * * *"}, {"bad", "0 25 * * *"}});
  auto result = install_schedule(config, target);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kUsage);
  EXPECT_NE(result.error().message.find("[set 'bad'] schedule.cron"), std::string::npos);
  EXPECT_NE(result.error().message.find("hour field"), std::string::npos);
  EXPECT_FALSE(fs::exists(root.path() / "etc/cron.d"));
}

TEST_F(ScheduleFilesTest, ForeignFilesAreNeverOverwrittenOrRemoved) {
  fs::create_directories(root.path() / "etc/cron.d");
  auto foreign = root.path() / "etc/cron.d/dbkeep";
  std::ofstream(foreign) << "0 3 * * * root /usr/local/bin/my-own-backup\n";
  auto other = root.path() / "etc/cron.d/e2scrub_all";
  std::ofstream(other) << "10 3 * * 0 root e2scrub_all\n";

  auto config = config_with({{"main", "0 2 * * *"}});
  auto refused = install_schedule(config, target);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("was not written by dbkeep"), std::string::npos);
  auto removed = remove_schedule(target);
  ASSERT_TRUE(removed);
  EXPECT_TRUE(removed->empty());
  EXPECT_EQ(read(foreign), "0 3 * * * root /usr/local/bin/my-own-backup\n");

  target.name = "mysql-backup";
  ASSERT_TRUE(install_schedule(config, target));
  EXPECT_EQ(installed_schedule_files(target),
            std::vector<fs::path>{root.path() / "etc/cron.d/mysql-backup"});
  removed = remove_schedule(target);
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->size(), 1u);
  EXPECT_FALSE(fs::exists(root.path() / "etc/cron.d/mysql-backup"));
  EXPECT_TRUE(fs::exists(foreign));
  EXPECT_TRUE(fs::exists(other));
}

TEST_F(ScheduleFilesTest, NamesThatCronOrAShellWouldMisreadAreRefusedOrQuoted) {
  auto config = config_with({{"main", "0 2 * * *"}});
  target.name = "dbkeep.conf";  // cron ignores file names with dots
  EXPECT_FALSE(plan_schedule(config, target));
  target.name = "dbkeep";
  target.config_file = "/etc/db keep/it's.toml";
  auto planned = plan_schedule(config, target);
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_NE(planned->front().content.find("--config '/etc/db keep/it'\\''s.toml'"),
            std::string::npos)
      << planned->front().content;
  target.config_file = "/etc/100%.toml";  // % is a newline to cron
  EXPECT_FALSE(plan_schedule(config, target));
  auto spaced = config_with({{"my set", "0 2 * * *"}});
  target.config_file = "/etc/dbkeep/dbkeep.toml";
  EXPECT_FALSE(plan_schedule(spaced, target));
}

TEST_F(ScheduleFilesTest, SystemdUnitsAndStaleTimersOfRemovedSets) {
  target.systemd = true;
  auto config = config_with({{"main", "0 2 * * *"}, {"old", "15 3 * * *"}});
  ASSERT_TRUE(install_schedule(config, target));
  auto units = root.path() / "etc/systemd/system";
  std::string timer = read(units / "dbkeep@main.timer");
  EXPECT_NE(timer.find("\nOnCalendar=*-*-* 02:00:00\n"), std::string::npos) << timer;
  EXPECT_NE(timer.find("\nPersistent=true\n"), std::string::npos);
  EXPECT_NE(timer.find("\nUnit=dbkeep@main.service\n"), std::string::npos);
  std::string service = read(units / "dbkeep@.service");
  EXPECT_NE(service.find("\nExecStart=/usr/local/bin/dbkeep --config /etc/dbkeep/dbkeep.toml "
                         "--quiet backup --set %i\n"),
            std::string::npos)
      << service;
  std::ofstream(units / "dbkeep@hand.timer") << "[Timer]\nOnCalendar=daily\n";  // not ours

  config = config_with({{"main", "0 2 * * *"}});
  auto report = install_schedule(config, target);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->removed, std::vector<fs::path>{units / "dbkeep@old.timer"});
  EXPECT_EQ(installed_schedule_files(target).size(), 2u);
  ASSERT_TRUE(remove_schedule(target));
  EXPECT_TRUE(installed_schedule_files(target).empty());
  EXPECT_TRUE(fs::exists(units / "dbkeep@hand.timer"));
}

TEST_F(ScheduleFilesTest, VerifyCronAddsRestoreTestsBesideTheBackups) {
  auto config = config_with({{"main", "0 2 * * *"}, {"other", "0 3 * * *"}});
  config.sets[0].schedule.verify_cron = "30 4 * * 0";
  ASSERT_TRUE(install_schedule(config, target));
  std::string cron = read(root.path() / "etc/cron.d/dbkeep");
  EXPECT_NE(cron.find("\n30 4 * * 0 root /usr/local/bin/dbkeep --config /etc/dbkeep/dbkeep.toml "
                      "--quiet verify --latest --restore-test --set main\n"),
            std::string::npos)
      << cron;
  EXPECT_EQ(cron.find("--restore-test --set other"), std::string::npos) << cron;

  target.systemd = true;
  ASSERT_TRUE(install_schedule(config, target));
  auto units = root.path() / "etc/systemd/system";
  std::string service = read(units / "dbkeep-verify@.service");
  EXPECT_NE(service.find("\nExecStart=/usr/local/bin/dbkeep --config /etc/dbkeep/dbkeep.toml "
                         "--quiet verify --latest --restore-test --set %i\n"),
            std::string::npos)
      << service;
  std::string timer = read(units / "dbkeep-verify@main.timer");
  EXPECT_NE(timer.find("\nUnit=dbkeep-verify@main.service\n"), std::string::npos) << timer;
  EXPECT_FALSE(fs::exists(units / "dbkeep-verify@other.timer"));
  EXPECT_EQ(installed_schedule_files(target).size(), 5u);  // 2 services, 3 timers

  config.sets[0].schedule.verify_cron = "61 * * * *";
  auto refused = plan_schedule(config, target);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("verify_cron"), std::string::npos);
  ASSERT_TRUE(remove_schedule(target));
  EXPECT_TRUE(installed_schedule_files(target).empty());
}

TEST(SystemdCalendarTest, TranslatesFieldsAndCronsDayOrRule) {
  auto calendar = [](const char* text) { return systemd_calendar(*CronExpression::parse(text)); };
  EXPECT_EQ(calendar("0 2 * * *"), std::vector<std::string>{"*-*-* 02:00:00"});
  EXPECT_EQ(calendar("*/20 */6 * * *"), std::vector<std::string>{"*-*-* 00,06,12,18:00,20,40:00"});
  EXPECT_EQ(calendar("30 1 * jan,jul mon-fri"),
            std::vector<std::string>{"Mon,Tue,Wed,Thu,Fri *-01,07-* 01:30:00"});
  EXPECT_EQ(calendar("0 0 13 * fri"),
            (std::vector<std::string>{"*-*-13 00:00:00", "Fri *-*-* 00:00:00"}));
}

// systemd's own parser must accept the translation and agree on the next run times.
TEST(SystemdCalendarTest, SystemdAnalyzeAgreesOnNextRuns) {
  if (!fs::exists("/usr/bin/systemd-analyze")) GTEST_SKIP() << "systemd-analyze not installed";
  core::SystemCommandRunner runner;
  for (const char* text : {"0 2 * * *", "*/20 */6 * * *", "30 1 * jan,jul mon-fri", "0 0 */5 * *",
                           "45 23 28-31 2 *"}) {
    auto cron = CronExpression::parse(text);
    ASSERT_TRUE(cron);
    for (const auto& calendar : systemd_calendar(*cron)) {
      auto result = runner.run({.argv = {"systemd-analyze", "calendar", "--iterations=3", calendar},
                                .extra_env = {{"TZ", "UTC"}, {"SYSTEMD_COLORS", "0"}}});
      ASSERT_TRUE(result);
      EXPECT_TRUE(result->success()) << calendar << ": " << result->stderr_text;
      // Each "Next elapse"/"Iter. #n" line names a time cron must also produce.
      std::istringstream lines(result->stdout_text);
      std::string line;
      int checked = 0;
      while (std::getline(lines, line)) {
        // "    Next elapse: Sun 2026-11-22 02:00:00 UTC" and "       Iter. #2: …" (TZ=UTC)
        if (line.find("Next elapse: ") == std::string::npos &&
            line.find("Iter. #") == std::string::npos) {
          continue;
        }
        std::string when = line.substr(line.find(": ") + 6, 19);
        when[10] = 'T';
        auto time = core::parse_iso_utc(when + "Z");
        ASSERT_TRUE(time) << line;
        EXPECT_TRUE(cron->matches(std::chrono::local_seconds(time->time_since_epoch())))
            << text << " vs systemd " << line;
        ++checked;
      }
      EXPECT_GE(checked, 1) << result->stdout_text;
    }
  }
}

}  // namespace
}  // namespace dbkeep::ops
