#include "dbkeep/core/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "dbkeep/core/config_ops.hpp"
#include "dbkeep/core/config_table.hpp"
#include "dbkeep/core/duration.hpp"
#include "dbkeep/core/secret_file.hpp"
#include "dbkeep/core/time_zone.hpp"

namespace dbkeep::core {

namespace {

// [repository] encryption keys. Secrets are not read here: passphrase_file and key_file are
// only opened when a command needs the key.
Result<void> parse_repository_encryption(ConfigTable& table, RepositoryConfig& repository) {
  TRY_ASSIGN(auto encryption, table.string("encryption"));
  if (encryption) {
    auto mode = parse_encryption_mode(*encryption);
    if (!mode) {
      return usage_error(table.where("encryption") + ": expected \"none\", \"repokey\" or " +
                         "\"keyfile\", got \"" + *encryption + "\"");
    }
    repository.encryption = *mode;
  }
  TRY_ASSIGN(auto passphrase_file, table.path("passphrase_file"));
  if (passphrase_file) repository.passphrase_file = *passphrase_file;
  TRY_ASSIGN(auto key_file, table.path("key_file"));
  if (key_file) repository.key_file = *key_file;
  TRY_ASSIGN(auto encrypt_metadata, table.boolean("encrypt_metadata"));
  if (encrypt_metadata) repository.encrypt_metadata = *encrypt_metadata;
  if (repository.encryption == EncryptionMode::kKeyfile && !repository.key_file) {
    return usage_error(table.where("key_file") + ": encryption = \"keyfile\" needs key_file");
  }
  return {};
}

// FNV-1a: a stable short name for an S3 repository's local state directory.
std::string url_hash(std::string_view url) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (char c : url) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

Result<std::optional<std::string>> secret_from_file(ConfigTable& table, std::string_view key) {
  TRY_ASSIGN(auto file, table.path(key));
  if (!file) return std::optional<std::string>{};
  TRY_ASSIGN(auto secret, read_secret_file(*file, table.where(key)));
  return std::optional<std::string>{std::move(secret)};
}

Result<S3Config> parse_s3(ConfigTable& table, const std::string& url) {
  S3Config s3;
  std::string_view rest = std::string_view(url).substr(5);  // after "s3://"
  auto slash = rest.find('/');
  s3.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) s3.prefix = std::string(rest.substr(slash + 1));
  while (!s3.prefix.empty() && s3.prefix.back() == '/') s3.prefix.pop_back();
  if (!s3.prefix.empty()) s3.prefix += '/';
  if (s3.bucket.empty() || s3.prefix.starts_with('/') ||
      s3.prefix.find("//") != std::string::npos) {
    return usage_error(table.where("url") + ": '" + url + "' is not s3://bucket[/prefix]");
  }
  TRY_ASSIGN(s3.endpoint, table.string("endpoint"));
  if (s3.endpoint && !s3.endpoint->starts_with("https://") &&
      !s3.endpoint->starts_with("http://")) {
    return usage_error(table.where("endpoint") + ": must start with https:// or http://");
  }
  TRY_ASSIGN(auto region, table.string("region"));
  if (region) s3.region = *region;
  TRY_ASSIGN(s3.path_style, table.boolean("path_style"));
  TRY_ASSIGN(auto ca_file, table.path("ca_file"));
  if (ca_file) s3.ca_file = *ca_file;
  TRY_ASSIGN(s3.access_key_id, secret_from_file(table, "access_key_id_file"));
  TRY_ASSIGN(s3.secret_access_key, secret_from_file(table, "secret_access_key_file"));
  TRY_ASSIGN(s3.session_token, secret_from_file(table, "session_token_file"));
  TRY_ASSIGN(s3.storage_class, table.string("storage_class"));
  TRY_ASSIGN(s3.sse, table.string("sse"));
  if (s3.sse && *s3.sse != "AES256" && *s3.sse != "aws:kms") {
    return usage_error(table.where("sse") + ": must be \"AES256\" or \"aws:kms\"");
  }
  TRY_ASSIGN(s3.sse_kms_key_id, table.string("sse_kms_key_id"));
  if (s3.sse_kms_key_id && s3.sse != "aws:kms") {
    return usage_error(table.where("sse_kms_key_id") + ": needs sse = \"aws:kms\"");
  }
  TRY_ASSIGN(auto part_size, table.size("part_size"));
  if (part_size) {
    // S3's limits: every part but the last at least 5 MiB, none over 5 GiB.
    if (*part_size < (5ULL << 20) || *part_size > (5ULL << 30)) {
      return usage_error(table.where("part_size") + ": must be between 5M and 5G");
    }
    s3.part_size = *part_size;
  }
  TRY_ASSIGN(auto concurrency, table.integer("concurrency", 1, 64));
  if (concurrency) s3.concurrency = static_cast<int>(*concurrency);
  TRY_ASSIGN(auto checksum, table.string("checksum"));
  if (checksum) {
    if (*checksum != "sha256" && *checksum != "md5" && *checksum != "none") {
      return usage_error(table.where("checksum") + ": must be sha256, md5 or none");
    }
    s3.checksum = *checksum;
  }
  return s3;
}

Result<RepositoryConfig> parse_repository(ConfigTable table) {
  RepositoryConfig repository;
  TRY_ASSIGN(auto path, table.path("path"));
  TRY_ASSIGN(auto url, table.string("url"));
  if (!path && !url) {
    auto missing = table.required_string("path");
    return usage_error(missing.error().message + "; or url = \"s3://bucket/prefix\" for S3");
  }
  if (path && url) {
    return usage_error(
        table.where("url") +
        ": set either path (a local directory) or url (s3://bucket/prefix), not both");
  }
  std::filesystem::path default_state_dir;
  if (path) {
    repository.path = *path;
    default_state_dir = repository.path / ".state";
  } else {
    if (!url->starts_with("s3://")) {
      return usage_error(table.where("url") + ": only s3:// URLs are supported");
    }
    repository.url = *url;
    TRY_ASSIGN(repository.s3, parse_s3(table, *url));
    default_state_dir = std::filesystem::path("/var/lib/dbkeep") / url_hash(*url);
  }
  TRY_ASSIGN(auto state_dir, table.path("state_dir"));
  repository.state_dir = state_dir.value_or(default_state_dir);
  TRY_ASSIGN(auto temp_dir, table.path("temp_dir"));
  repository.temp_dir = temp_dir.value_or(std::filesystem::temp_directory_path());
  TRY(parse_repository_encryption(table, repository));
  TRY(table.reject_unknown_keys());
  return repository;
}

Result<LogConfig> parse_log(ConfigTable table) {
  LogConfig log;
  TRY_ASSIGN(log.file, table.path("file"));
  TRY(table.reject_unknown_keys());
  return log;
}

Result<SqliteConfig> parse_sqlite(ConfigTable table) {
  SqliteConfig sqlite;
  TRY_ASSIGN(sqlite.path, table.required_path("path"));
  TRY_ASSIGN(auto pages, table.integer("pages_per_step", 1, 1 << 20));
  if (pages) sqlite.pages_per_step = static_cast<int>(*pages);
  TRY_ASSIGN(auto pause, table.integer("step_pause_ms", 0, 10000));
  if (pause) sqlite.step_pause_ms = static_cast<int>(*pause);
  TRY_ASSIGN(auto busy, table.integer("busy_timeout_ms", 0, 3600000));
  if (busy) sqlite.busy_timeout_ms = static_cast<int>(*busy);
  TRY(table.reject_unknown_keys());
  return sqlite;
}

// The global-lock keys of [set.mysql] (snapshot and logical methods).
Result<void> parse_mysql_lock(ConfigTable& table, MysqlConfig& mysql) {
  auto read_int = [&table](std::string_view key, std::int64_t min, std::int64_t max,
                           int& out) -> Result<void> {
    TRY_ASSIGN(auto value, table.integer(key, min, max));
    if (value) out = static_cast<int>(*value);
    return {};
  };
  TRY_ASSIGN(auto lock, table.string("lock"));
  if (lock) {
    auto mode = parse_lock_mode(*lock);
    if (!mode || *mode == LockMode::kNone) {
      return usage_error(table.where("lock") + ": must be " + lock_mode_choices(false) + ", got '" +
                         *lock + "'");
    }
    mysql.lock = *mode;
  }
  TRY(read_int("lock_wait_timeout", 1, 3600, mysql.lock_wait_timeout_s));
  TRY(read_int("lock_attempts", 1, 100, mysql.lock_attempts));
  TRY(read_int("watchdog_ms", 0, 3600000, mysql.watchdog_ms));
  TRY(read_int("long_query_seconds", 0, 86400, mysql.long_query_seconds));
  TRY(read_int("long_query_max_wait", 0, 86400, mysql.long_query_max_wait_s));
  TRY_ASSIGN(auto action, table.string("long_query_action"));
  if (action) {
    auto parsed = parse_long_query_action(*action);
    if (!parsed) {
      return usage_error(table.where("long_query_action") + ": must be " +
                         long_query_action_choices() + ", got '" + *action + "'");
    }
    mysql.long_query_action = *parsed;
  }
  // kill_long_queries = true is the short form of long_query_action = "kill".
  TRY_ASSIGN(auto kill, table.boolean("kill_long_queries"));
  if (kill && *kill) {
    if (action && mysql.long_query_action != LongQueryAction::kKill) {
      return usage_error(table.where("kill_long_queries") + ": contradicts long_query_action = \"" +
                         *action + "\"");
    }
    mysql.long_query_action = LongQueryAction::kKill;
  }
  return {};
}

Result<MysqlConfig> parse_mysql(ConfigTable table) {
  MysqlConfig mysql;
  TRY_ASSIGN(auto socket, table.path("socket"));
  if (socket) mysql.socket = socket->string();
  TRY_ASSIGN(mysql.host, table.string("host"));
  TRY_ASSIGN(auto port, table.integer("port", 1, 65535));
  if (port) mysql.port = static_cast<int>(*port);
  TRY_ASSIGN(mysql.user, table.string("user"));
  TRY_ASSIGN(mysql.option_file, table.path("option_file"));
  TRY_ASSIGN(auto password_file, table.path("password_file"));
  if (password_file) {
    TRY_ASSIGN(mysql.password, read_secret_file(*password_file, table.where("password_file")));
  }
  // A password written into the config file would be readable by anyone who can read the
  // config; only the environment may carry it directly.
  if (table.in_file("password")) {
    return usage_error(table.where("password") +
                       ": passwords do not belong in the config file; use password_file, an "
                       "option_file, or the environment variable");
  }
  TRY_ASSIGN(auto password, table.string("password"));
  if (password) mysql.password = *password;
  TRY(parse_mysql_lock(table, mysql));
  TRY_ASSIGN(mysql.datadir, table.path("datadir"));
  TRY(table.reject_unknown_keys());
  return mysql;
}

Result<SnapshotConfig> parse_snapshot(ConfigTable table) {
  SnapshotConfig snapshot;
  TRY_ASSIGN(auto provider, table.required_string("provider"));
  auto parsed_provider = parse_snapshot_provider(provider);
  if (!parsed_provider) {
    return usage_error(table.where("provider") + ": must be " + snapshot_provider_choices() +
                       ", got '" + provider + "'");
  }
  snapshot.provider = *parsed_provider;
  TRY_ASSIGN(auto volume, table.string("volume"));
  TRY_ASSIGN(auto volumes, table.string_list("volumes"));
  if (volume) snapshot.volumes.push_back(*volume);
  if (volumes) snapshot.volumes.insert(snapshot.volumes.end(), volumes->begin(), volumes->end());
  if (snapshot.volumes.empty()) {
    return usage_error(table.where("volume") + ": is required (the volume holding the datadir)");
  }
  // A btrfs volume is a directory; LVM's vg/lv and ZFS's pool/dataset are names, not paths.
  if (snapshot.provider == SnapshotProvider::kBtrfs) {
    for (auto& volume_path : snapshot.volumes) volume_path = table.resolve(volume_path).string();
  }
  TRY_ASSIGN(snapshot.size, table.size("size"));
  TRY_ASSIGN(snapshot.mount_point, table.required_path("mount_point"));
  TRY_ASSIGN(auto fill_limit, table.integer("fill_limit", 1, 100));
  if (fill_limit) snapshot.fill_limit_percent = static_cast<int>(*fill_limit);
  TRY_ASSIGN(snapshot.mount_options, table.string("mount_options"));
  TRY_ASSIGN(auto recursive, table.boolean("recursive"));
  if (recursive) snapshot.recursive = *recursive;
  TRY_ASSIGN(auto sync_before_lock, table.boolean("sync_before_lock"));
  if (sync_before_lock) snapshot.sync_before_lock = *sync_before_lock;
  TRY(table.reject_unknown_keys());
  return snapshot;
}

Result<LogicalConfig> parse_logical(ConfigTable table) {
  LogicalConfig logical;
  TRY_ASSIGN(auto workers, table.integer("workers", 1, 256));
  if (workers) logical.workers = static_cast<int>(*workers);
  TRY_ASSIGN(auto chunk_size, table.size("chunk_size"));
  if (chunk_size) logical.chunk_size = *chunk_size;
  TRY_ASSIGN(auto include, table.string_list("include"));
  if (include) logical.include = *include;
  TRY_ASSIGN(auto exclude, table.string_list("exclude"));
  if (exclude) logical.exclude = *exclude;
  TRY_ASSIGN(auto non_transactional, table.string("non_transactional"));
  if (non_transactional) {
    auto policy = parse_non_transactional(*non_transactional);
    if (!policy) {
      return usage_error(table.where("non_transactional") + ": must be " +
                         non_transactional_choices() + ", got '" + *non_transactional + "'");
    }
    logical.non_transactional = *policy;
  }
  TRY_ASSIGN(auto strip_definers, table.boolean("strip_definers"));
  if (strip_definers) logical.strip_definers = *strip_definers;
  TRY_ASSIGN(auto include_users, table.boolean("include_users"));
  if (include_users) logical.include_users = *include_users;
  TRY_ASSIGN(auto lock, table.string("lock"));
  if (lock) {
    auto mode = parse_lock_mode(*lock);
    if (!mode) {
      return usage_error(table.where("lock") + ": must be " + lock_mode_choices(true) + ", got '" +
                         *lock + "'");
    }
    logical.lock = *mode;
  }
  TRY(table.reject_unknown_keys());
  return logical;
}

Result<VerifyConfig> parse_verify(ConfigTable table) {
  VerifyConfig verify;
  TRY_ASSIGN(auto binary, table.string("server_binary"));
  if (binary) verify.server_binary = table.resolve_program(*binary);
  TRY(table.reject_unknown_keys());
  return verify;
}

Result<ArchiveConfig> parse_archive(ConfigTable table, const std::string& set_name) {
  ArchiveConfig archive;
  TRY_ASSIGN(auto enabled, table.boolean("enabled"));
  archive.enabled = enabled.value_or(false);
  TRY_ASSIGN(auto seconds, table.integer("segment_seconds", 1, 3600));
  if (seconds) archive.segment_seconds = static_cast<int>(*seconds);
  TRY_ASSIGN(auto server_id, table.integer("server_id", 1, 4294967295LL));
  if (server_id) {
    archive.server_id = static_cast<std::uint32_t>(*server_id);
  } else {
    // FNV-1a of the name: stable across runs and hosts, distinct for two sets of one server.
    std::uint32_t hash = 2166136261U;
    for (unsigned char c : set_name) hash = (hash ^ c) * 16777619U;
    archive.server_id = 4000000000U + hash % 100000000U;
  }
  TRY_ASSIGN(auto max_lag, table.string("max_lag"));
  if (max_lag) {
    TRY_ASSIGN(archive.max_lag, parse_span(*max_lag, table.where("max_lag")));
  }
  TRY(table.reject_unknown_keys());
  return archive;
}

Result<RestoreConfig> parse_restore(ConfigTable table) {
  RestoreConfig restore;
  TRY_ASSIGN(auto owner, table.string("owner"));
  if (owner) {
    auto parsed = FileOwner::parse(*owner);
    if (!parsed) return usage_error(table.where("owner") + ": " + parsed.error().message);
    restore.owner = std::move(*parsed);
  }
  TRY_ASSIGN(auto binary, table.string("server_binary"));
  if (binary) restore.server_binary = table.resolve_program(*binary);
  TRY(table.reject_unknown_keys());
  return restore;
}

// Without a [set.retention] table a set keeps its kDefaultKeepLast newest backups. A table that
// names no keep rule is refused rather than read as "delete everything" or silently defaulted.
// keep_within and time_zone are checked here so a typo fails every command, not the next prune.
Result<void> check_retention(const ConfigTable& table, RetentionConfig& retention) {
  const bool has_rule = retention.keep_last || retention.keep_hourly || retention.keep_daily ||
                        retention.keep_weekly || retention.keep_monthly || retention.keep_yearly ||
                        retention.keep_within;
  if (!has_rule) {
    if (table.present()) {
      return usage_error(table.where("") +
                         "keeps nothing: set at least one of keep_last, keep_hourly, keep_daily, "
                         "keep_weekly, keep_monthly, keep_yearly or keep_within (without a "
                         "[set.retention] table the default is keep_last = " +
                         std::to_string(kDefaultKeepLast) + ")");
    }
    retention.keep_last = kDefaultKeepLast;
  }
  if (retention.keep_within) {
    auto duration = parse_duration(*retention.keep_within);
    if (!duration) return usage_error(table.where("keep_within") + ": " + duration.error().message);
  }
  auto zone = TimeZone::load(retention.time_zone);
  if (!zone) return usage_error(table.where("time_zone") + ": " + zone.error().message);
  return {};
}

Result<PhysicalConfig> parse_physical(ConfigTable table) {
  PhysicalConfig physical;
  TRY_ASSIGN(physical.tool, table.string("tool"));
  if (physical.tool && *physical.tool != "mariabackup" && *physical.tool != "xtrabackup") {
    return usage_error(table.where("tool") + ": must be mariabackup or xtrabackup, got '" +
                       *physical.tool + "'");
  }
  TRY_ASSIGN(auto type, table.string("type"));
  if (type && *type != "full" && *type != "incremental") {
    return usage_error(table.where("type") + ": must be full or incremental, got '" + *type + "'");
  }
  physical.incremental = type == "incremental";
  TRY_ASSIGN(auto parallel, table.integer("parallel", 1, 256));
  if (parallel) physical.parallel = static_cast<int>(*parallel);
  TRY(table.reject_unknown_keys());
  return physical;
}

Result<RetentionConfig> parse_retention(ConfigTable table) {
  RetentionConfig retention;
  auto read_count = [&table](std::string_view key, std::optional<int>& out) -> Result<void> {
    TRY_ASSIGN(auto value, table.integer(key, 1, 100000));
    if (value) out = static_cast<int>(*value);
    return {};
  };
  TRY(read_count("keep_last", retention.keep_last));
  TRY(read_count("keep_hourly", retention.keep_hourly));
  TRY(read_count("keep_daily", retention.keep_daily));
  TRY(read_count("keep_weekly", retention.keep_weekly));
  TRY(read_count("keep_monthly", retention.keep_monthly));
  TRY(read_count("keep_yearly", retention.keep_yearly));
  TRY_ASSIGN(retention.keep_within, table.string("keep_within"));
  TRY_ASSIGN(auto zone, table.string("time_zone"));
  if (zone) retention.time_zone = *zone;
  TRY_ASSIGN(auto prune, table.boolean("prune_after_backup"));
  if (prune) retention.prune_after_backup = *prune;
  TRY(table.reject_unknown_keys());
  TRY(check_retention(table, retention));
  return retention;
}

// The method must belong to the source ("online" is SQLite's; the others MySQL's).
Result<Method> parse_set_method(ConfigTable& table, SourceKind source) {
  TRY_ASSIGN(auto name, table.string("method"));
  if (!name) {
    if (source == SourceKind::kSqlite) return Method::kOnline;
    TRY_ASSIGN(name, table.required_string("method"));
  }
  auto method = parse_method(*name);
  if (!method || method_traits(*method).source != source) {
    return usage_error(table.where("method") + ": method '" + *name +
                       "' does not apply to source '" + std::string(to_string(source)) +
                       "' (sqlite: " + methods_of(SourceKind::kSqlite) +
                       "; mysql: " + methods_of(SourceKind::kMysql) + ")");
  }
  return *method;
}

Result<SetConfig> parse_set(const toml::table* table, const std::string& file, std::size_t index,
                            const Environment& environment) {
  // The name decides the environment prefix, so read it before anything else.
  const toml::node* name_node = table->get("name");
  if (!name_node || !name_node->is_string() || name_node->as_string()->get().empty()) {
    std::string line = std::to_string(table->source().begin.line);
    return usage_error(file + ":" + line + ": [[set]] number " + std::to_string(index + 1) +
                       " needs a non-empty string key 'name'");
  }
  SetConfig set;
  set.name = name_node->as_string()->get();
  if (auto problem = set_name_problem(set.name)) {
    std::string line = std::to_string(name_node->source().begin.line);
    return usage_error(file + ":" + line + ": [[set]] name '" + set.name + "' " + *problem);
  }
  ConfigTable reader(table, file, "[set '" + set.name + "']",
                     "DBKEEP_SET_" + env_component(set.name), &environment);
  TRY(reader.required_string("name"));
  TRY_ASSIGN(auto enabled, reader.boolean("enabled"));
  if (enabled == false) {
    set.enabled = false;
    return set;  // nothing else is read: its secrets and paths may not exist here
  }
  TRY_ASSIGN(auto source, reader.required_string("source"));
  auto source_kind = parse_source_kind(source);
  if (!source_kind) {
    return usage_error(reader.where("source") + ": must be mysql or sqlite, got '" + source + "'");
  }
  set.source = *source_kind;
  TRY_ASSIGN(set.method, parse_set_method(reader, set.source));

  TRY_ASSIGN(auto compression, reader.string("compression"));
  if (compression) {
    auto codec = parse_codec(*compression);
    if (!codec) {
      return usage_error(reader.where("compression") + ": must be zstd, gzip or none, got '" +
                         *compression + "'");
    }
    set.codec.codec = *codec;
  }
  int max_level = set.codec.codec == Codec::kGzip ? 9 : 19;
  TRY_ASSIGN(auto level, reader.integer("compression_level", 1, max_level));
  set.codec.level = level ? static_cast<int>(*level) : (set.codec.codec == Codec::kGzip ? 6 : 3);
  int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  TRY_ASSIGN(auto threads, reader.integer("compression_threads", 0, 256));
  set.codec.threads = threads ? static_cast<int>(*threads) : cores;
  TRY_ASSIGN(auto parallel, reader.integer("parallel", 1, 256));
  set.parallel = parallel ? static_cast<int>(*parallel) : std::min(cores, 4);
  TRY_ASSIGN(auto retries, reader.integer("retries", 0, 100));
  if (retries) set.retries = static_cast<int>(*retries);
  TRY_ASSIGN(auto retry_delay, reader.string("retry_delay"));
  if (retry_delay) {
    TRY_ASSIGN(set.retry_delay, parse_span(*retry_delay, reader.where("retry_delay")));
  }

  auto sqlite = reader.subtable("sqlite");
  auto mysql = reader.subtable("mysql");
  auto snapshot = reader.subtable("snapshot");
  auto logical = reader.subtable("logical");
  auto physical = reader.subtable("physical");
  switch (set.method) {
    case Method::kOnline: {
      TRY_ASSIGN(set.sqlite, parse_sqlite(std::move(sqlite)));
      break;
    }
    case Method::kSnapshot: {
      TRY_ASSIGN(set.mysql, parse_mysql(std::move(mysql)));
      TRY_ASSIGN(set.snapshot, parse_snapshot(std::move(snapshot)));
      break;
    }
    case Method::kLogical: {
      TRY_ASSIGN(set.mysql, parse_mysql(std::move(mysql)));
      TRY_ASSIGN(set.logical, parse_logical(std::move(logical)));
      break;
    }
    case Method::kPhysical: {
      TRY_ASSIGN(set.mysql, parse_mysql(std::move(mysql)));
      TRY_ASSIGN(set.physical, parse_physical(std::move(physical)));
      break;
    }
  }
  TRY_ASSIGN(set.restore, parse_restore(reader.subtable("restore")));
  TRY_ASSIGN(set.archive, parse_archive(reader.subtable("archive"), set.name));
  if (set.archive.enabled && set.source != SourceKind::kMysql) {
    return usage_error("set '" + set.name +
                       "': [set.archive] is built for MySQL/MariaDB sets only so far; SQLite "
                       "WAL archiving is not available yet");
  }
  TRY_ASSIGN(set.retention, parse_retention(reader.subtable("retention")));
  TRY_ASSIGN(set.schedule, parse_schedule(reader.subtable("schedule")));
  TRY_ASSIGN(set.hooks, parse_hooks(reader.subtable("hooks")));
  if (!method_traits(set.method).has_stage_hooks &&
      !(set.hooks.pre_lock.empty() && set.hooks.post_lock.empty() &&
        set.hooks.post_snapshot.empty())) {
    return usage_error("set '" + set.name +
                       "': the hooks pre_lock, post_lock and post_snapshot exist only with "
                       "method = \"snapshot\"");
  }
  TRY(reader.reject_unknown_keys());
  return set;
}

}  // namespace

std::optional<std::string> set_name_problem(std::string_view name) {
  auto allowed = [](char c, bool first) {  // ASCII only, whatever the locale
    bool alphanumeric = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    return alphanumeric || (!first && (c == '_' || c == '.' || c == '-'));
  };
  bool valid = !name.empty() && name.size() <= 64;
  for (std::size_t i = 0; valid && i < name.size(); ++i) valid = allowed(name[i], i == 0);
  if (valid) return std::nullopt;
  return "is not allowed: set names are [A-Za-z0-9][A-Za-z0-9_.-]{0,63} (a letter or digit, "
         "then letters, digits, '_', '.' or '-', at most 64 characters)";
}

Result<const SetConfig*> Config::find_set(const std::string& name) const {
  if (std::ranges::find(disabled_sets, name) != disabled_sets.end()) {
    return usage_error("set '" + name + "' is disabled in " + file.string() +
                       " (enabled = false, or DBKEEP_SET_" + env_component(name) +
                       "_ENABLED=false)");
  }
  std::string names;
  for (const auto& set : sets) {
    if (set.name == name) return &set;
    names += (names.empty() ? "" : ", ") + set.name;
  }
  return usage_error("no set named '" + name + "' in " + file.string() + " (configured: " + names +
                     ")");
}

Result<Config> parse_config(std::string_view text, const std::string& file,
                            const Environment& environment) {
  auto parsed = toml::parse(text, file);
  if (!parsed) {
    const auto& problem = parsed.error();
    return usage_error(file + ":" + std::to_string(problem.source().begin.line) + ": " +
                       std::string(problem.description()));
  }
  const toml::table& root = parsed.table();
  Config config;
  config.file = file;
  ConfigTable top(&root, file, std::string(kTopLevelSection), "DBKEEP", &environment);

  TRY_ASSIGN(config.repository, parse_repository(top.subtable("repository")));
  TRY_ASSIGN(config.log, parse_log(top.subtable("log")));
  TRY_ASSIGN(config.notify, parse_notify(top.subtable("notify")));
  TRY_ASSIGN(config.metrics, parse_metrics(top.subtable("metrics")));
  TRY_ASSIGN(config.verify, parse_verify(top.subtable("verify")));
  TRY_ASSIGN(config.daemon, parse_daemon(top.subtable("daemon")));

  const toml::node* sets = root.get("set");
  (void)top.subtable("set");  // marks [[set]] as known
  if (sets) {
    const toml::array* array = sets->as_array();
    if (!array || !array->is_array_of_tables()) {
      return usage_error(file + ":" + std::to_string(sets->source().begin.line) +
                         ": 'set' must be written as [[set]] tables");
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      TRY_ASSIGN(auto set, parse_set(array->get(i)->as_table(), file, i, environment));
      const bool taken =
          std::ranges::find(config.disabled_sets, set.name) != config.disabled_sets.end() ||
          std::ranges::any_of(config.sets,
                              [&](const SetConfig& existing) { return existing.name == set.name; });
      if (taken) return usage_error(file + ": two sets are named '" + set.name + "'");
      if (set.enabled) {
        config.sets.push_back(std::move(set));
      } else {
        config.disabled_sets.push_back(set.name);
      }
    }
  }
  TRY(top.reject_unknown_keys());
  if (config.sets.empty() && !config.disabled_sets.empty()) {
    return usage_error(file +
                       ": every [[set]] is disabled (enabled = false, or "
                       "DBKEEP_SET_<NAME>_ENABLED=false): nothing to back up");
  }
  if (config.sets.empty()) return usage_error(file + ": no [[set]] is configured");
  return config;
}

Result<Config> load_config(const std::filesystem::path& file, const Environment& environment) {
  std::ifstream in(file);
  if (!in) {
    return usage_error("cannot read config file " + file.string() + ": " + std::strerror(errno) +
                       " (use --config FILE)");
  }
  std::stringstream content;
  content << in.rdbuf();
  return parse_config(content.str(), file.string(), environment);
}

}  // namespace dbkeep::core
