// Hooks, run records, metrics and notifications around real SQLite backups, through
// backup::run_backup_with_operations (the path both `dbkeep backup` and the daemon take).

#include "dbkeep/backup/backup_run.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "dbkeep/core/config.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/ops/atomic_file.hpp"
#include "dbkeep/storage/open_backend.hpp"
#include "support/loopback_listener.hpp"
#include "support/sqlite_workspace.hpp"
#include "support/temp_dir.hpp"
#include "support/tls_smtp_listener.hpp"

namespace dbkeep::backup {
namespace {

namespace fs = std::filesystem;

// A hook that appends "<hook> <status> <set> <id> <size> <error>" to hooks.log. `sh -c` is the
// test's choice of program; dbkeep itself runs the argument vector without a shell.
std::string recording_hook(const fs::path& log, const std::string& extra = "") {
  return "['sh', '-c', '" + extra + "echo \"$DBKEEP_HOOK $DBKEEP_STATUS $DBKEEP_SET " +
         "${DBKEEP_BACKUP_ID:-none} ${DBKEEP_SIZE_BYTES:-none} ${DBKEEP_ERROR:-}\" >> " +
         log.string() + "']";
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

class BackupRunTest : public ::testing::Test {
 protected:
  // `hooks` is the body of [set.hooks]; `top` is appended after the set (e.g. [notify]).
  void configure(const std::string& hooks, const std::string& top = "",
                 const core::Environment& env = {}) {
    workspace =
        std::make_unique<test::SqliteWorkspace>(hooks.empty() ? "" : "[set.hooks]\n" + hooks);
    std::ofstream(workspace->config(), std::ios::app)
        << "[metrics]\nfile = \"" << metrics_file().string() << "\"\n"
        << top;
    workspace->fill(50, 100, true);
    // As the CLI does: the log file receives what the run logs (checked below).
    ASSERT_TRUE(log::open_file(workspace->dir() / "dbkeep.log"));
    auto loaded = core::load_config(workspace->config(), env);
    ASSERT_TRUE(loaded) << loaded.error().message;
    config = std::move(*loaded);
    auto backend = storage::open_backend(config.repository);
    ASSERT_TRUE(backend);
    repository = std::make_unique<repo::Repository>(std::move(*backend));
    services = RunServices::from_config(config);
    services.notifiers =
        ops::make_notifiers(config.notify, {.retry_delay = std::chrono::milliseconds(10)});
  }
  void TearDown() override { log::close_file(); }
  Result<repo::Manifest> run() {
    return run_backup_with_operations(config, config.sets.front(), *repository, services);
  }
  // Outside the workspace: hook commands are written before the workspace exists.
  fs::path hooks_log() const { return scratch.path() / "hooks.log"; }
  fs::path metrics_file() const { return workspace->dir() / "metrics/dbkeep.prom"; }

  core::TempDir scratch = test::make_temp_dir();
  std::unique_ptr<test::SqliteWorkspace> workspace;
  core::Config config;
  std::unique_ptr<repo::Repository> repository;
  RunServices services;
};

TEST_F(BackupRunTest, HooksRunInOrderWithTheRunsFacts) {
  configure("pre_backup = " + recording_hook(hooks_log()) + "\npost_backup = " +
            recording_hook(hooks_log()) + "\non_failure = " + recording_hook(hooks_log()) + "\n");
  auto manifest = run();
  ASSERT_TRUE(manifest) << manifest.error().message;
  auto lines = lines_of(hooks_log());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "pre_backup running app none none ");
  EXPECT_EQ(lines[1], "post_backup success app " + manifest->id + " " +
                          std::to_string(manifest->total_size()) + " ");

  std::string metrics = ops::read_whole_file(metrics_file()).value_or("");
  EXPECT_NE(metrics.find("dbkeep_last_run_success{set=\"app\"} 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("dbkeep_last_backup_size_bytes{set=\"app\"} " +
                         std::to_string(manifest->total_size()) + "\n"),
            std::string::npos);
}

TEST_F(BackupRunTest, PostHookRunsAfterAFailedBackupAndOnFailureFollows) {
  configure("pre_backup = " + recording_hook(hooks_log()) + "\npost_backup = " +
            recording_hook(hooks_log()) + "\non_failure = " + recording_hook(hooks_log()) + "\n");
  fs::remove(workspace->database());  // the source is gone: the backup itself fails
  fs::remove(workspace->database().string() + "-wal");
  fs::remove(workspace->database().string() + "-shm");
  auto manifest = run();
  ASSERT_FALSE(manifest);
  auto lines = lines_of(hooks_log());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "pre_backup running app none none ");
  EXPECT_TRUE(lines[1].starts_with("post_backup failed app none 0 ")) << lines[1];
  EXPECT_NE(lines[1].find(workspace->database().filename().string()), std::string::npos)
      << "DBKEEP_ERROR should name the problem: " << lines[1];
  EXPECT_TRUE(lines[2].starts_with("on_failure failed app none 0 ")) << lines[2];

  std::string metrics = ops::read_whole_file(metrics_file()).value_or("");
  EXPECT_NE(metrics.find("dbkeep_last_run_success{set=\"app\"} 0\n"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("dbkeep_last_success_timestamp_seconds"), std::string::npos);
}

TEST_F(BackupRunTest, AFailingPreHookSkipsTheBackupButNotThePostHook) {
  configure("pre_backup = " + recording_hook(hooks_log(), "exit 3; ") +
            "\npost_backup = " + recording_hook(hooks_log()) + "\n");
  auto manifest = run();
  ASSERT_FALSE(manifest);
  EXPECT_NE(manifest.error().message.find("pre_backup hook"), std::string::npos);
  EXPECT_NE(manifest.error().message.find("exit code 3"), std::string::npos);
  auto lines = lines_of(hooks_log());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].starts_with("post_backup failed app none")) << lines[0];
  EXPECT_TRUE(workspace->listed_ids().empty());
}

TEST_F(BackupRunTest, AHookThatHangsIsStoppedAtItsTimeout) {
  configure("pre_backup = ['sleep', '60']\npost_backup = " + recording_hook(hooks_log()) +
            "\ntimeout_seconds = 1\n");
  auto manifest = run();
  ASSERT_FALSE(manifest);
  EXPECT_NE(manifest.error().message.find("timed out after 1 s"), std::string::npos)
      << manifest.error().message;
  EXPECT_EQ(lines_of(hooks_log()).size(), 1u);  // the post hook still ran
}

TEST_F(BackupRunTest, AFailingPostHookFailsTheRunButKeepsTheBackup) {
  configure("post_backup = ['false']\n");
  auto manifest = run();
  ASSERT_FALSE(manifest);
  EXPECT_NE(manifest.error().message.find("post_backup hook 'false' failed"), std::string::npos);
  EXPECT_EQ(workspace->listed_ids().size(), 1u);
}

TEST_F(BackupRunTest, WebhookReceivesTheSummaryAfterARetry) {
  if (!test::python3_available()) GTEST_SKIP() << "python3 not installed";
  test::LoopbackListener listener(test::LoopbackListener::Kind::kHttp, {503});
  ASSERT_TRUE(listener.started());
  configure("", "[notify]\nwebhook_retries = 2\non_success = true\n",
            {{"DBKEEP_NOTIFY_WEBHOOK_URL",
              "http://127.0.0.1:" + std::to_string(listener.port()) + "/hook/secret-token"}});
  auto manifest = run();
  ASSERT_TRUE(manifest) << manifest.error().message;
  auto received = listener.received();
  ASSERT_EQ(received.size(), 2u);  // a 503, then the retry
  EXPECT_EQ(received[0]["status"], 503);
  EXPECT_EQ(received[1]["status"], 200);
  EXPECT_EQ(received[1]["path"], "/hook/secret-token");
  EXPECT_EQ(received[1]["content_type"], "application/json");
  auto summary = nlohmann::json::parse(received[1]["body"].get<std::string>());
  EXPECT_EQ(summary["set"], "app");
  EXPECT_EQ(summary["status"], "success");
  EXPECT_EQ(summary["backup_id"], manifest->id);
  EXPECT_EQ(summary["size_bytes"], manifest->total_size());
  EXPECT_EQ(summary["tool"], "dbkeep");
  EXPECT_TRUE(summary.contains("duration_ms"));
  EXPECT_TRUE(summary.contains("host"));

  // The URL carries a token: it must not reach the log.
  std::string log = ops::read_whole_file(workspace->dir() / "dbkeep.log").value_or("");
  EXPECT_EQ(log.find("secret-token"), std::string::npos);
}

// Without on_success: a failure is sent, the success after it once (as a recovery), the
// successes after that not at all.
TEST_F(BackupRunTest, SuccessIsNotSentUnlessAskedButFailureAndRecoveryAre) {
  if (!test::python3_available()) GTEST_SKIP() << "python3 not installed";
  test::LoopbackListener listener(test::LoopbackListener::Kind::kHttp);
  ASSERT_TRUE(listener.started());
  configure("pre_backup = ['false']\n", "[notify]\n",
            {{"DBKEEP_NOTIFY_WEBHOOK_URL", "http://127.0.0.1:" + std::to_string(listener.port())}});
  ASSERT_FALSE(run());
  config.sets.front().hooks.pre_backup.clear();
  ASSERT_TRUE(run());
  ASSERT_TRUE(run());
  auto received = listener.received();
  ASSERT_EQ(received.size(), 2u);
  auto failure = nlohmann::json::parse(received[0]["body"].get<std::string>());
  EXPECT_EQ(failure["status"], "failed");
  EXPECT_EQ(failure["consecutive_failures"], 1);
  EXPECT_NE(failure["error"].get<std::string>().find("pre_backup hook 'false' failed"),
            std::string::npos);
  auto recovery = nlohmann::json::parse(received[1]["body"].get<std::string>());
  EXPECT_EQ(recovery["status"], "success");
  EXPECT_EQ(recovery["recovered_after_failures"], 1);
  EXPECT_EQ(recovery["consecutive_failures"], 0);
}

// retries = 2: a pre_backup hook that fails once, then passes — one run, two attempts, the
// hooks of both attempts, one backup, no notification (the run succeeded).
TEST_F(BackupRunTest, AFailedAttemptIsRetriedAndTheRunRecordCountsTheAttempts) {
  if (!test::python3_available()) GTEST_SKIP() << "python3 not installed";
  test::LoopbackListener listener(test::LoopbackListener::Kind::kHttp);
  ASSERT_TRUE(listener.started());
  auto marker = scratch.path() / "failed-once";
  configure("pre_backup = ['sh', '-c', 'test -e " + marker.string() + " || { touch " +
                marker.string() + "; exit 1; }']\npost_backup = " + recording_hook(hooks_log()) +
                "\non_failure = " + recording_hook(hooks_log()) + "\n",
            "[notify]\n",
            {{"DBKEEP_NOTIFY_WEBHOOK_URL", "http://127.0.0.1:" + std::to_string(listener.port())}});
  config.sets.front().retries = 2;
  config.sets.front().retry_delay = std::chrono::seconds(0);
  auto manifest = run();
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(workspace->listed_ids().size(), 1u);
  auto lines = lines_of(hooks_log());
  ASSERT_EQ(lines.size(), 2u) << "post_backup after each attempt, no on_failure";
  EXPECT_TRUE(lines[0].starts_with("post_backup failed app none")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("post_backup success app " + manifest->id)) << lines[1];
  EXPECT_TRUE(listener.received().empty());

  auto record = ops::run_record_store(config).load("app");
  ASSERT_TRUE(record && *record);
  EXPECT_TRUE((*record)->success);
  EXPECT_EQ((*record)->attempts, 2);
  ASSERT_EQ((*record)->attempt_errors.size(), 1u);
  EXPECT_NE((*record)->attempt_errors[0].find("pre_backup hook"), std::string::npos);
  std::string log = ops::read_whole_file(workspace->dir() / "dbkeep.log").value_or("");
  EXPECT_NE(log.find("attempt 1 of 3 failed"), std::string::npos) << log;
  std::string metrics = ops::read_whole_file(metrics_file()).value_or("");
  EXPECT_NE(metrics.find("dbkeep_last_run_attempts{set=\"app\"} 2\n"), std::string::npos)
      << metrics;
}

// Every attempt fails: on_failure and the notification come once, after the last attempt;
// with after_failures = 2 the first failed run is not announced, the second is.
TEST_F(BackupRunTest, OnlyTheFinalFailureIsAnnouncedAndOnlyAfterNRunsInARow) {
  if (!test::python3_available()) GTEST_SKIP() << "python3 not installed";
  test::LoopbackListener listener(test::LoopbackListener::Kind::kHttp);
  ASSERT_TRUE(listener.started());
  configure("pre_backup = ['false']\non_failure = " + recording_hook(hooks_log()) + "\n",
            "[notify]\nafter_failures = 2\n",
            {{"DBKEEP_NOTIFY_WEBHOOK_URL", "http://127.0.0.1:" + std::to_string(listener.port())}});
  config.sets.front().retries = 2;
  config.sets.front().retry_delay = std::chrono::seconds(0);
  ASSERT_FALSE(run());
  EXPECT_EQ(lines_of(hooks_log()).size(), 1u) << "on_failure once for three attempts";
  EXPECT_TRUE(listener.received().empty()) << "one failed run is below after_failures";
  ASSERT_FALSE(run());
  auto received = listener.received();
  ASSERT_EQ(received.size(), 1u);
  auto summary = nlohmann::json::parse(received[0]["body"].get<std::string>());
  EXPECT_EQ(summary["attempts"], 3);
  EXPECT_EQ(summary["attempt_errors"].size(), 2u);
  EXPECT_EQ(summary["consecutive_failures"], 2);
  std::string metrics = ops::read_whole_file(metrics_file()).value_or("");
  EXPECT_NE(metrics.find("dbkeep_consecutive_failures{set=\"app\"} 2\n"), std::string::npos)
      << metrics;

  // A configuration mistake is not retried: it would fail the same way.
  config.sets.front().hooks.pre_backup = {"/nonexistent/hook"};
  ASSERT_FALSE(run());
  auto record = ops::run_record_store(config).load("app");
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->attempts, 1);
  EXPECT_EQ((*record)->consecutive_failures, 3);
}

TEST_F(BackupRunTest, ADeadWebhookEndpointDoesNotFailTheBackup) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  configure("", "[notify]\nwebhook_retries = 1\non_success = true\n",
            {{"DBKEEP_NOTIFY_WEBHOOK_URL", "http://127.0.0.1:1/hook"}});
  auto manifest = run();
  ASSERT_TRUE(manifest) << manifest.error().message;
  std::string log = ops::read_whole_file(workspace->dir() / "dbkeep.log").value_or("");
  EXPECT_NE(log.find("webhook notification for set 'app' failed"), std::string::npos) << log;
}

TEST_F(BackupRunTest, EmailGoesToALocalSmtpServer) {
  if (!test::python3_available()) GTEST_SKIP() << "python3 not installed";
  test::LoopbackListener listener(test::LoopbackListener::Kind::kSmtp);
  ASSERT_TRUE(listener.started());
  configure("pre_backup = ['false']\n",
            "[notify]\nsmtp_url = \"smtp://127.0.0.1:" + std::to_string(listener.port()) +
                "\"\nemail_from = \"backup@example.net\"\n"
                "email_to = [\"ops@example.net\", \"dba@example.net\"]\n");
  ASSERT_FALSE(run());
  auto received = listener.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]["from"], "backup@example.net");
  EXPECT_EQ(received[0]["to"], nlohmann::json({"ops@example.net", "dba@example.net"}));
  std::string data = received[0]["data"];
  EXPECT_NE(data.find("Subject: [dbkeep] backup of app on "), std::string::npos) << data;
  EXPECT_NE(data.find(" FAILED"), std::string::npos);
  EXPECT_NE(data.find("status: failed"), std::string::npos);
}

// [notify] for a TLS SMTP server at `address`:`port` whose certificate is `ca` ("" = trust only
// the system's CAs).
std::string tls_mail_section(const std::string& scheme, const std::string& address, int port,
                             const fs::path& ca) {
  return "[notify]\nsmtp_url = \"" + scheme + "://" + address + ":" + std::to_string(port) +
         "\"\nsmtp_user = \"backup\"\nemail_from = \"backup@example.net\"\n"
         "email_to = [\"ops@example.net\"]\ntimeout_seconds = 10\n" +
         (ca.empty() ? "" : "ca_file = \"" + ca.string() + "\"\n");
}

constexpr const char* kSmtpPassword = "smtp-secret-Zq9-never-logged";

TEST_F(BackupRunTest, EmailOverImplicitTlsAuthenticatesAndRefusesAnUntrustedServer) {
  test::TlsSmtpListener listener(test::TlsSmtpListener::Mode::kImplicitTls, "127.0.0.1", "backup",
                                 kSmtpPassword);
  if (!listener.started()) GTEST_SKIP() << listener.missing_reason();
  core::Environment secret{{"DBKEEP_NOTIFY_SMTP_PASSWORD", kSmtpPassword}};
  configure("pre_backup = ['false']\n",
            tls_mail_section("smtps", "127.0.0.1", listener.port(), listener.certificate()),
            secret);
  ASSERT_FALSE(run());
  auto received = listener.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]["tls"], true);
  EXPECT_EQ(received[0]["user"], "backup");
  EXPECT_EQ(received[0]["to"], nlohmann::json({"ops@example.net"}));
  EXPECT_NE(received[0]["data"].get<std::string>().find("status: failed"), std::string::npos);

  // Without ca_file the self-signed certificate is not trusted: no mail, a logged warning,
  // and the run's outcome is the backup's own.
  log::close_file();
  configure("", tls_mail_section("smtps", "127.0.0.1", listener.port(), "") + "on_success = true\n",
            secret);
  ASSERT_TRUE(run());
  EXPECT_EQ(listener.received().size(), 1u);
  std::string log = ops::read_whole_file(workspace->dir() / "dbkeep.log").value_or("");
  EXPECT_NE(log.find("email notification for set 'app' failed"), std::string::npos) << log;
  EXPECT_EQ(log.find(kSmtpPassword), std::string::npos);
}

TEST_F(BackupRunTest, EmailToARemoteServerUsesStartTls) {
  // smtp:// to anything but the local host must upgrade with STARTTLS; a non-loopback address
  // of this machine stands in for the remote relay.
  auto address = test::non_loopback_address();
  if (!address) GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
  test::TlsSmtpListener listener(test::TlsSmtpListener::Mode::kStartTls, *address, "backup",
                                 kSmtpPassword);
  if (!listener.started()) GTEST_SKIP() << listener.missing_reason();
  configure("pre_backup = ['false']\n",
            tls_mail_section("smtp", *address, listener.port(), listener.certificate()),
            {{"DBKEEP_NOTIFY_SMTP_PASSWORD", kSmtpPassword}});
  ASSERT_FALSE(run());
  auto received = listener.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]["tls"], true);
  EXPECT_EQ(received[0]["user"], "backup");
}

}  // namespace
}  // namespace dbkeep::backup
