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

// [set.physical]: hot physical backups through mariabackup / xtrabackup (docs/physical.md).
struct PhysicalConfig {
  std::optional<std::string> tool;  // mariabackup | xtrabackup; default: chosen by server flavor
  bool incremental = false;         // type = "incremental": based on the set's latest backup
  int parallel = 2;                 // the tool's --parallel copy threads
};

struct RetentionConfig {
  std::optional<int> keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly;
  std::optional<std::string> keep_within;
  std::string time_zone = "UTC";
  bool prune_after_backup = true;
};

struct ScheduleConfig {
  std::string cron = "0 2 * * *";
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
  std::optional<PhysicalConfig> physical;  // set when method = "physical"
  RetentionConfig retention;
  ScheduleConfig schedule;
};

struct Config {
  std::filesystem::path file;
  RepositoryConfig repository;
  LogConfig log;
  std::vector<SetConfig> sets;

  // The named set, or a kUsage error listing the configured names.
  Result<const SetConfig*> find_set(const std::string& name) const;
};

Result<Config> load_config(const std::filesystem::path& file, const Environment& environment);
// Parses TOML text directly (tests); `file` is only used in messages.
Result<Config> parse_config(std::string_view text, const std::string& file,
                            const Environment& environment);

}  // namespace dbkeep::core
