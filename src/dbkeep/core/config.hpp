#pragma once
// The configuration: one TOML file (default /etc/dbkeep/dbkeep.toml) whose keys can each be
// overridden by DBKEEP_<SECTION>_<KEY> environment variables. For a set, the section is the
// set's name: DBKEEP_SET_<NAME>_<KEY>, DBKEEP_SET_<NAME>_SQLITE_PATH, …
// Parsing is strict (see config_table.hpp); load_config() returns kUsage errors naming file and
// line.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dbkeep/core/compression.hpp"
#include "dbkeep/core/config_enums.hpp"
#include "dbkeep/core/environment.hpp"
#include "dbkeep/core/error.hpp"
#include "dbkeep/core/file_owner.hpp"
#include "dbkeep/core/method.hpp"

namespace dbkeep::core {

inline constexpr const char* kDefaultConfigPath = "/etc/dbkeep/dbkeep.toml";

// An S3-compatible repository ([repository] url = "s3://bucket/prefix"). Secrets read from the
// *_file keys are kept here and never logged; absent ones fall back to the AWS environment
// variables and ~/.aws/credentials (see storage/s3/s3_credentials.hpp).
struct S3Config {
  std::string bucket;
  std::string prefix;                   // "" or ends in '/'
  std::optional<std::string> endpoint;  // "https://host[:port]"; default AWS for the region
  std::string region = "us-east-1";
  std::optional<bool> path_style;  // default: true with a custom endpoint, false for AWS
  std::optional<std::filesystem::path> ca_file;
  std::optional<std::string> access_key_id;
  std::optional<std::string> secret_access_key;
  std::optional<std::string> session_token;
  std::optional<std::string> storage_class;  // data objects only, never manifests
  std::optional<std::string> sse;            // "AES256" or "aws:kms"
  std::optional<std::string> sse_kms_key_id;
  std::uint64_t part_size = 16ULL << 20;  // first multipart part size; grows for huge streams
  int concurrency = 4;                    // parts (or ranges) in flight per object
  std::string checksum = "sha256";        // sha256 (signed payload) | md5 (Content-MD5) | none
};

struct RepositoryConfig {
  std::filesystem::path path;  // local directory repository (empty when url is set)
  std::string url;             // "s3://bucket/prefix" when the repository is in S3
  std::optional<S3Config> s3;  // parsed from url and the S3 keys
  // Where locks and the resource journal live; defaults to <path>/.state, or for S3 to
  // /var/lib/dbkeep/<hash of url> (locks must be local files).
  std::filesystem::path state_dir;
  // Scratch space for copies made before storing (SQLite online backup); default system temp.
  std::filesystem::path temp_dir;
  // Encryption at rest (docs/encryption.md): none | repokey (passphrase) | keyfile.
  EncryptionMode encryption = EncryptionMode::kNone;
  std::optional<std::filesystem::path> passphrase_file;  // read when the key is needed
  std::optional<std::filesystem::path> key_file;
  bool encrypt_metadata = false;  // hide file and table names in object names too
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
  // Global lock for snapshot (and logical) backups; see docs/snapshot.md.
  LockMode lock = LockMode::kFlushTablesWithReadLock;  // ftwrl | backup_stage
  int lock_wait_timeout_s = 5;                         // server-side wait per lock statement
  int lock_attempts = 3;                               // tries before the backup is aborted
  int watchdog_ms = 3000;       // a second connection kills a lock wait this long; 0 off
  int long_query_seconds = 60;  // statements running this long block locking; 0 off
  LongQueryAction long_query_action = LongQueryAction::kWait;  // kill_long_queries = true: kill
  int long_query_max_wait_s = 300;                             // for "wait"
  // The server's datadir as this host sees it, when the server reports another path (it runs
  // in a container: /var/lib/mysql inside, a volume such as /srv/app/mysql-data outside). The
  // snapshot and physical methods read the files here; server paths below the datadir are
  // mapped the same way (source/mysql/datadir_mapping.hpp).
  std::optional<std::filesystem::path> datadir;
};

struct SnapshotConfig {
  SnapshotProvider provider = SnapshotProvider::kLvm;
  std::vector<std::string> volumes;
  std::optional<std::uint64_t> size;
  std::filesystem::path mount_point;
  int fill_limit_percent = 90;               // lvm: fail the backup when the snapshot is this full
  std::optional<std::string> mount_options;  // lvm: replaces the per-filesystem defaults
  bool recursive = false;                    // zfs: include descendant datasets (-r)
  // syncfs() the snapshotted filesystems just before the global lock, so the snapshot command
  // under the lock has little dirty data left to commit (docs/snapshot.md, "The lock window").
  bool sync_before_lock = true;
};

// How `dbkeep restore --datadir` prepares a restored datadir.
struct RestoreConfig {
  FileOwner owner = FileOwner::named("mysql");  // owns the restored files, runs a restored server
  std::string server_binary = "mariadbd";       // started by --start (looked up in PATH)
};

// [set.archive]: continuous archiving of the binary log (docs/pitr.md). MySQL sets only.
struct ArchiveConfig {
  bool enabled = false;
  // The open segment is stored at least this often, which bounds what a lost server costs.
  int segment_seconds = 30;
  // The replication server_id the archiver connects with; it must differ from every server's
  // and replica's. 0 (unset): one derived from the set name, in 4000000000..4099999999.
  std::uint32_t server_id = 0;
  // `archive status` exits 3 when the last archived event is older than this while the server
  // has written more since; 0 turns the check off.
  std::chrono::seconds max_lag{300};
};

// [set.logical]: the parallel logical dump (docs/logical.md).
struct LogicalConfig {
  int workers = 0;                                 // dump connections; 0: one per core
  std::uint64_t chunk_size = 64ULL * 1024 * 1024;  // target bytes of table data per chunk file
  std::vector<std::string> include;                // "schema" or "schema.table" patterns
  std::vector<std::string> exclude;
  NonTransactional non_transactional = NonTransactional::kWarn;  // MyISAM, Aria… tables
  bool strip_definers = false;  // drop DEFINER= from views, routines, triggers, events
  bool include_users = false;   // dump accounts and grants into users.sql
  LockMode lock = LockMode::kFlushTablesWithReadLock;  // ftwrl | backup_stage | none
};

// The policy of a set without a [set.retention] table (docs/retention.md).
inline constexpr int kDefaultKeepLast = 7;

// [set.retention]; load_config() has checked keep_within (core::parse_duration) and time_zone.
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
  // The zone the daemon and `schedule show` read `cron` in. cron.d and systemd timers use the
  // system's zone, so keep this equal to it when using those (docs/operations.md).
  std::string time_zone = "UTC";
  // When set: a restore test of the set's latest backup (verify --latest --restore-test) on
  // this cron schedule, installed by `schedule install` beside the backup schedule.
  std::optional<std::string> verify_cron;
};

// Commands run around a backup ([set.hooks]): argument vectors, never a shell. Empty = none.
struct HooksConfig {
  std::vector<std::string> pre_backup;
  std::vector<std::string> post_backup;  // runs even after a failed backup
  std::vector<std::string> on_failure;
  // Stages inside a snapshot backup (method = "snapshot" only); never while the lock is held.
  std::vector<std::string> pre_lock;       // before the global lock; failing aborts the backup
  std::vector<std::string> post_lock;      // after unlocking, also when locking failed
  std::vector<std::string> post_snapshot;  // the snapshot is readable, before the copy
  int timeout_seconds = 600;               // each hook; then SIGTERM, SIGKILL
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
  // A failure is announced only once this many runs in a row have failed (1: every failure);
  // the first success after an announced failure is announced as a recovery.
  int after_failures = 1;
  // CA bundle trusted for the webhook and SMTP TLS instead of the system's (private CAs).
  std::optional<std::filesystem::path> ca_file;
};

// A Prometheus textfile-collector file ([metrics]).
struct MetricsConfig {
  std::optional<std::filesystem::path> file;
};

// [verify]: `dbkeep verify --restore-test` (docs/restore-test.md).
struct VerifyConfig {
  // mariadbd/mysqld for the scratch server; empty: found in PATH, /usr/sbin, /usr/libexec.
  std::string server_binary;
};

// [daemon]: `dbkeep daemon`.
struct DaemonConfig {
  bool run_at_start = false;  // one backup of every set when the daemon starts, then the schedule
};

struct SetConfig {
  std::string name;
  // enabled = false (or DBKEEP_SET_<NAME>_ENABLED=false): the rest of the set is not read, and
  // Config lists it in disabled_sets instead of sets.
  bool enabled = true;
  SourceKind source = SourceKind::kSqlite;
  Method method = Method::kOnline;  // applies to `source` (check_method in config.cpp)
  CodecOptions codec;
  int parallel = 2;  // files stored concurrently
  // A failed backup is tried again this many times, retry_delay apart (the daemon and `backup`
  // alike); configuration errors and cancellation are not retried.
  int retries = 0;
  std::chrono::seconds retry_delay{300};
  std::optional<SqliteConfig> sqlite;
  std::optional<MysqlConfig> mysql;
  std::optional<SnapshotConfig> snapshot;
  std::optional<LogicalConfig> logical;  // set when method = "logical"
  RestoreConfig restore;
  ArchiveConfig archive;
  std::optional<PhysicalConfig> physical;  // set when method = "physical"
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
  VerifyConfig verify;
  DaemonConfig daemon;
  std::vector<SetConfig> sets;  // the enabled ones, in file order
  // Names of sets with enabled = false: as if absent for every command (a container enables
  // the databases it has from its environment), named in find_set's error.
  std::vector<std::string> disabled_sets;

  // The named set, or a kUsage error listing the configured names (or saying it is disabled).
  Result<const SetConfig*> find_set(const std::string& name) const;
};

// Why `name` cannot name a set, or nullopt when it can. A set name becomes a repository
// directory, a lock file, part of environment variable names, a systemd instance name and a
// cron line, so it is [A-Za-z0-9][A-Za-z0-9_.-]{0,63}: no leading dot (hidden from `list`),
// no '/', no spaces. Only configured names are checked; backups in a repository are listed
// whatever their set is called.
std::optional<std::string> set_name_problem(std::string_view name);

Result<Config> load_config(const std::filesystem::path& file, const Environment& environment);
// Parses TOML text directly (tests); `file` is only used in messages.
Result<Config> parse_config(std::string_view text, const std::string& file,
                            const Environment& environment);

}  // namespace dbkeep::core
