// The operations keys of the configuration: [set.hooks], [set.schedule], [notify], [metrics].

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "dbkeep/core/config.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::core {
namespace {

constexpr const char* kSet = R"(
[repository]
path = "/var/backups/dbkeep"
[[set]]
name = "main"
source = "sqlite"
[set.sqlite]
path = "/var/lib/app/main.db"
)";

Result<Config> parse_ops(const std::string& extra, const Environment& env = {}) {
  return parse_config(std::string(kSet) + extra, "dbkeep.toml", env);
}

std::string error_of(const std::string& extra, const Environment& env = {}) {
  auto config = parse_ops(extra, env);
  if (config) return "<parsed>";
  EXPECT_EQ(config.error().kind, ErrorKind::kUsage);
  return config.error().message;
}

TEST(ConfigOpsTest, ReadsHooksScheduleNotifyAndMetrics) {
  auto config = parse_ops(R"([set.schedule]
cron = "30 1 * * *"
time_zone = "Europe/Berlin"
[set.hooks]
pre_backup = ["systemctl", "stop", "app"]
post_backup = ["systemctl", "start", "app"]
timeout_seconds = 30
[notify]
webhook_retries = 1
smtp_url = "smtps://mail.example.net:465"
email_from = "a@example.net"
email_to = ["b@example.net"]
on_success = true
[metrics]
file = "/var/lib/node_exporter/dbkeep.prom"
)",
                          {{"DBKEEP_NOTIFY_WEBHOOK_URL", "https://hooks.example.net/T0K3N"}});
  ASSERT_TRUE(config) << config.error().message;
  const auto& set = config->sets.front();
  EXPECT_EQ(set.schedule.cron, "30 1 * * *");
  EXPECT_EQ(set.schedule.time_zone, "Europe/Berlin");
  EXPECT_EQ(set.hooks.pre_backup, (std::vector<std::string>{"systemctl", "stop", "app"}));
  EXPECT_EQ(set.hooks.post_backup, (std::vector<std::string>{"systemctl", "start", "app"}));
  EXPECT_TRUE(set.hooks.on_failure.empty());
  EXPECT_EQ(set.hooks.timeout_seconds, 30);
  EXPECT_EQ(config->notify.webhook_url, "https://hooks.example.net/T0K3N");
  EXPECT_EQ(config->notify.webhook_retries, 1);
  EXPECT_EQ(config->notify.email_to, std::vector<std::string>{"b@example.net"});
  EXPECT_TRUE(config->notify.on_success);
  EXPECT_EQ(config->metrics.file, "/var/lib/node_exporter/dbkeep.prom");
}

TEST(ConfigOpsTest, RejectsMistakesWithFileAndLine) {
  EXPECT_NE(error_of("[set.hooks]\npre_backup = \"systemctl stop app\"\n").find("dbkeep.toml:"),
            std::string::npos);
  EXPECT_NE(error_of("[set.hooks]\npre_backup = []\n").find("needs a program"), std::string::npos);
  EXPECT_NE(error_of("[set.hooks]\npre_hook = [\"x\"]\n").find("pre_hook"), std::string::npos);
  EXPECT_NE(error_of("[notify]\nwebhook_url = \"https://x/T\"\n").find("do not belong"),
            std::string::npos);
  EXPECT_NE(error_of("[notify]\nsmtp_password = \"pw\"\n").find("smtp_password_file"),
            std::string::npos);
  EXPECT_NE(error_of("[notify]\nsmtp_url = \"mail.example.net\"\n").find("smtp://"),
            std::string::npos);
  EXPECT_NE(error_of("[notify]\nsmtp_url = \"smtp://mail\"\n").find("email_from and email_to"),
            std::string::npos);
  EXPECT_NE(error_of("[notify]\n", {{"DBKEEP_NOTIFY_WEBHOOK_URL", "ftp://x"}}).find("http://"),
            std::string::npos);
  EXPECT_NE(error_of("[metrics]\nfile = \"\"\n").find("metrics"), std::string::npos);
}

TEST(ConfigOpsTest, SecretsComeFromPrivateFiles) {
  auto dir = test::make_temp_dir();
  auto file = dir.path() / "smtp.pw";
  std::ofstream(file) << "s3cret\n";
  ::chmod(file.c_str(), 0600);
  auto config = parse_ops("[notify]\nsmtp_password_file = \"" + file.string() + "\"\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->notify.smtp_password, "s3cret");
  ::chmod(file.c_str(), 0644);
  EXPECT_NE(
      error_of("[notify]\nsmtp_password_file = \"" + file.string() + "\"\n").find("world-readable"),
      std::string::npos);
}

}  // namespace
}  // namespace dbkeep::core
