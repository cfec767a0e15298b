#include "dbkeep/core/config_ops.hpp"

#include "dbkeep/core/secret_file.hpp"

namespace dbkeep::core {
namespace {

// A hook is an argument vector: ["systemctl", "stop", "app"]. A single string would need a
// shell to split it, and hooks never run through a shell.
Result<std::vector<std::string>> read_command(ConfigTable& table, std::string_view key) {
  TRY_ASSIGN(auto command, table.string_list(key));
  if (!command) return std::vector<std::string>{};
  if (command->empty() || command->front().empty()) {
    return usage_error(table.where(key) +
                       ": needs a program and its arguments, e.g. [\"systemctl\", \"stop\", "
                       "\"app\"]");
  }
  command->front() = table.resolve_program(command->front());
  return *command;
}

// A secret either directly (environment only) or from a *_file key.
Result<std::optional<std::string>> read_secret(ConfigTable& table, const std::string& key) {
  TRY_ASSIGN(auto from_file, table.path(key + "_file"));
  if (from_file) {
    TRY_ASSIGN(auto secret, read_secret_file(*from_file, table.where(key + "_file")));
    return std::optional<std::string>(secret);
  }
  if (table.in_file(key)) {
    return usage_error(table.where(key) + ": secrets do not belong in the config file; use " + key +
                       "_file or the environment variable");
  }
  return table.string(key);
}

}  // namespace

Result<ScheduleConfig> parse_schedule(ConfigTable table) {
  ScheduleConfig schedule;
  TRY_ASSIGN(auto cron, table.string("cron"));
  if (cron) schedule.cron = *cron;
  TRY_ASSIGN(auto zone, table.string("time_zone"));
  if (zone) schedule.time_zone = *zone;
  TRY_ASSIGN(schedule.verify_cron, table.string("verify_cron"));
  TRY(table.reject_unknown_keys());
  return schedule;
}

Result<HooksConfig> parse_hooks(ConfigTable table) {
  HooksConfig hooks;
  TRY_ASSIGN(hooks.pre_backup, read_command(table, "pre_backup"));
  TRY_ASSIGN(hooks.post_backup, read_command(table, "post_backup"));
  TRY_ASSIGN(hooks.on_failure, read_command(table, "on_failure"));
  TRY_ASSIGN(hooks.pre_lock, read_command(table, "pre_lock"));
  TRY_ASSIGN(hooks.post_lock, read_command(table, "post_lock"));
  TRY_ASSIGN(hooks.post_snapshot, read_command(table, "post_snapshot"));
  TRY_ASSIGN(auto timeout, table.integer("timeout_seconds", 1, 86400));
  if (timeout) hooks.timeout_seconds = static_cast<int>(*timeout);
  TRY(table.reject_unknown_keys());
  return hooks;
}

Result<DaemonConfig> parse_daemon(ConfigTable table) {
  DaemonConfig daemon;
  TRY_ASSIGN(auto run_at_start, table.boolean("run_at_start"));
  if (run_at_start) daemon.run_at_start = *run_at_start;
  TRY(table.reject_unknown_keys());
  return daemon;
}

Result<NotifyConfig> parse_notify(ConfigTable table) {
  NotifyConfig notify;
  // A webhook URL often embeds its token (Slack, Teams), so it may come from a file too.
  TRY_ASSIGN(notify.webhook_url, read_secret(table, "webhook_url"));
  if (notify.webhook_url && !notify.webhook_url->starts_with("http://") &&
      !notify.webhook_url->starts_with("https://")) {
    return usage_error(table.where("webhook_url") + ": must start with http:// or https://");
  }
  TRY_ASSIGN(auto retries, table.integer("webhook_retries", 0, 20));
  if (retries) notify.webhook_retries = static_cast<int>(*retries);
  TRY_ASSIGN(auto timeout, table.integer("timeout_seconds", 1, 600));
  if (timeout) notify.timeout_seconds = static_cast<int>(*timeout);
  TRY_ASSIGN(notify.smtp_url, table.string("smtp_url"));
  if (notify.smtp_url && !notify.smtp_url->starts_with("smtp://") &&
      !notify.smtp_url->starts_with("smtps://")) {
    return usage_error(table.where("smtp_url") +
                       ": must start with smtp:// (STARTTLS) or smtps:// (TLS)");
  }
  TRY_ASSIGN(notify.smtp_user, table.string("smtp_user"));
  TRY_ASSIGN(notify.smtp_password, read_secret(table, "smtp_password"));
  TRY_ASSIGN(notify.email_from, table.string("email_from"));
  TRY_ASSIGN(auto to, table.string_list("email_to"));
  if (to) notify.email_to = *to;
  if (notify.smtp_url && (!notify.email_from || notify.email_to.empty())) {
    return usage_error(table.where("smtp_url") + ": email needs email_from and email_to too");
  }
  TRY_ASSIGN(auto on_success, table.boolean("on_success"));
  if (on_success) notify.on_success = *on_success;
  TRY_ASSIGN(auto after_failures, table.integer("after_failures", 1, 1000));
  if (after_failures) notify.after_failures = static_cast<int>(*after_failures);
  TRY_ASSIGN(notify.ca_file, table.path("ca_file"));
  TRY(table.reject_unknown_keys());
  return notify;
}

Result<MetricsConfig> parse_metrics(ConfigTable table) {
  MetricsConfig metrics;
  TRY_ASSIGN(metrics.file, table.path("file"));
  TRY(table.reject_unknown_keys());
  return metrics;
}

}  // namespace dbkeep::core
