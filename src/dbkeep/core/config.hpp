#pragma once
// The configuration: one TOML file (default /etc/dbkeep/dbkeep.toml) whose keys can each be
// overridden by DBKEEP_<SECTION>_<KEY> environment variables. For a set, the section is the
// set's name: DBKEEP_SET_<NAME>_<KEY>, DBKEEP_SET_<NAME>_SQLITE_PATH, …
// Parsing is strict (see ConfigTable); load_config() returns kUsage errors naming file and line.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/config_table.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/pipeline/codec.hpp"

namespace dbkeep::core {

inline constexpr const char* kDefaultConfigPath = "/etc/dbkeep/dbkeep.toml";

struct RepositoryConfig {
  std::filesystem::path path;  // local directory repository
  // Where locks and the resource journal live; defaults to <path>/.state.
  std::filesystem::path state_dir;
  // Scratch space for copies made before storing (SQLite online backup); default system temp.
  std::filesystem::path temp_dir;
};

struct LogConfig {
  std::optional<std::filesystem::path> file;
};

struct SqliteConfig {
  std::filesystem::path path;
  int pages_per_step = 1024;  // rollback-journal databases: pages copied per backup step
  int step_pause_ms = 10;     // pause between steps so writers get the lock
  int busy_timeout_ms = 30000;
};

struct MysqlConfig {
  std::optional<std::string> socket;
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> user;
  std::optional<std::string> password;  // from password_file or the environment; never logged
  std::optional<std::filesystem::path> option_file;  // e.g. ~/.my.cnf ([client] section)
};

struct SnapshotConfig {
  std::string provider;  // lvm | btrfs | zfs
  std::vector<std::string> volumes;
  std::optional<std::uint64_t> size;
  std::filesystem::path mount_point;
};

struct RetentionConfig {
  std::optional<int> keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly;
  std::optional<std::string> keep_within;
  std::string time_zone = "UTC";
  bool prune_after_backup = true;
};

struct ScheduleConfig {
  std::string cron = "0 2 * * *";
  // The zone the daemon and `schedule show` read `cron` in. cron.d and systemd timers use the
  // system's zone, so keep this equal to it when using those (docs/operations.md).
  std::string time_zone = "UTC";
};

// Commands run around a backup ([set.hooks]): argument vectors, never a shell. Empty = none.
struct HooksConfig {
  std::vector<std::string> pre_backup;
  std::vector<std::string> post_backup;  // runs even after a failed backup
  std::vector<std::string> on_failure;
  int timeout_seconds = 600;  // each hook; then SIGTERM, SIGKILL
};

// Where run summaries go ([notify]). Failures always; successes when on_success.
struct NotifyConfig {
  std::optional<std::string> webhook_url;  // may embed a token: never logged
  int webhook_retries = 3;                 // attempts after the first
  int timeout_seconds = 30;                // per attempt
  std::optional<std::string> smtp_url;     // smtp://host:587 (STARTTLS) or smtps://host:465
  std::optional<std::string> smtp_user;
  std::optional<std::string> smtp_password;  // from smtp_password_file or the environment
  std::optional<std::string> email_from;
  std::vector<std::string> email_to;
  bool on_success = false;
};

// A Prometheus textfile-collector file ([metrics]).
struct MetricsConfig {
  std::optional<std::filesystem::path> file;
};

struct SetConfig {
  std::string name;
  std::string source;  // mysql | sqlite
  std::string method;  // snapshot | logical | physical | online
  pipeline::CodecOptions codec;
  int parallel = 2;  // files stored concurrently
  std::optional<SqliteConfig> sqlite;
  std::optional<MysqlConfig> mysql;
  std::optional<SnapshotConfig> snapshot;
  RetentionConfig retention;
  ScheduleConfig schedule;
  HooksConfig hooks;
};

struct Config {
  std::filesystem::path file;
  RepositoryConfig repository;
  LogConfig log;
  NotifyConfig notify;
  MetricsConfig metrics;
  std::vector<SetConfig> sets;

  // The named set, or a kUsage error listing the configured names.
  Result<const SetConfig*> find_set(const std::string& name) const;
};

Result<Config> load_config(const std::filesystem::path& file, const Environment& environment);
// Parses TOML text directly (tests); `file` is only used in messages.
Result<Config> parse_config(std::string_view text, const std::string& file,
                            const Environment& environment);

}  // namespace dbkeep::core
