#include "dbkeep/core/config.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "dbkeep/core/config_ops.hpp"

namespace dbkeep::core {

// Reads a secret from a *_file key: first line, trailing newline stripped. Warns nothing here;
// the caller decides. A world-readable secret file is refused: it would leak the secret.
Result<std::string> read_secret_file(const std::string& where, const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return usage_error(where + ": cannot read secret file " + path.string() + ": " +
                       std::strerror(errno));
  }
  if (info.st_mode & S_IROTH) {
    return usage_error(where + ": secret file " + path.string() +
                       " is world-readable; run chmod 600 on it");
  }
  std::ifstream in(path);
  std::string secret;
  if (!in || !std::getline(in, secret)) {
    return usage_error(where + ": secret file " + path.string() + " is empty or unreadable");
  }
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) return usage_error(where + ": secret file " + path.string() + " is empty");
  return secret;
}

namespace {

Result<RepositoryConfig> parse_repository(ConfigTable table) {
  RepositoryConfig repository;
  TRY_ASSIGN(auto path, table.required_string("path"));
  repository.path = path;
  TRY_ASSIGN(auto state_dir, table.string("state_dir"));
  repository.state_dir = state_dir ? std::filesystem::path(*state_dir) : repository.path / ".state";
  TRY_ASSIGN(auto temp_dir, table.string("temp_dir"));
  repository.temp_dir =
      temp_dir ? std::filesystem::path(*temp_dir) : std::filesystem::temp_directory_path();
  TRY(table.reject_unknown_keys());
  return repository;
}

Result<LogConfig> parse_log(ConfigTable table) {
  LogConfig log;
  TRY_ASSIGN(auto file, table.string("file"));
  if (file) log.file = *file;
  TRY(table.reject_unknown_keys());
  return log;
}

Result<SqliteConfig> parse_sqlite(ConfigTable table) {
  SqliteConfig sqlite;
  TRY_ASSIGN(auto path, table.required_string("path"));
  sqlite.path = path;
  TRY_ASSIGN(auto pages, table.integer("pages_per_step", 1, 1 << 20));
  if (pages) sqlite.pages_per_step = static_cast<int>(*pages);
  TRY_ASSIGN(auto pause, table.integer("step_pause_ms", 0, 10000));
  if (pause) sqlite.step_pause_ms = static_cast<int>(*pause);
  TRY_ASSIGN(auto busy, table.integer("busy_timeout_ms", 0, 3600000));
  if (busy) sqlite.busy_timeout_ms = static_cast<int>(*busy);
  TRY(table.reject_unknown_keys());
  return sqlite;
}

Result<MysqlConfig> parse_mysql(ConfigTable table) {
  MysqlConfig mysql;
  TRY_ASSIGN(mysql.socket, table.string("socket"));
  TRY_ASSIGN(mysql.host, table.string("host"));
  TRY_ASSIGN(auto port, table.integer("port", 1, 65535));
  if (port) mysql.port = static_cast<int>(*port);
  TRY_ASSIGN(mysql.user, table.string("user"));
  TRY_ASSIGN(auto option_file, table.string("option_file"));
  if (option_file) mysql.option_file = *option_file;
  TRY_ASSIGN(auto password_file, table.string("password_file"));
  if (password_file) {
    TRY_ASSIGN(mysql.password, read_secret_file(table.where("password_file"), *password_file));
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
  TRY(table.reject_unknown_keys());
  return mysql;
}

Result<SnapshotConfig> parse_snapshot(ConfigTable table) {
  SnapshotConfig snapshot;
  TRY_ASSIGN(snapshot.provider, table.required_string("provider"));
  if (snapshot.provider != "lvm" && snapshot.provider != "btrfs" && snapshot.provider != "zfs") {
    return usage_error(table.where("provider") + ": must be lvm, btrfs or zfs, got '" +
                       snapshot.provider + "'");
  }
  TRY_ASSIGN(auto volume, table.string("volume"));
  TRY_ASSIGN(auto volumes, table.string_list("volumes"));
  if (volume) snapshot.volumes.push_back(*volume);
  if (volumes) snapshot.volumes.insert(snapshot.volumes.end(), volumes->begin(), volumes->end());
  if (snapshot.volumes.empty()) {
    return usage_error(table.where("volume") + ": is required (the volume holding the datadir)");
  }
  TRY_ASSIGN(snapshot.size, table.size("size"));
  TRY_ASSIGN(auto mount_point, table.required_string("mount_point"));
  snapshot.mount_point = mount_point;
  TRY(table.reject_unknown_keys());
  return snapshot;
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
  return retention;
}

Result<void> check_method(const ConfigTable& table, const SetConfig& set) {
  bool valid = (set.source == "sqlite" && set.method == "online") ||
               (set.source == "mysql" &&
                (set.method == "snapshot" || set.method == "logical" || set.method == "physical"));
  if (!valid) {
    return usage_error(table.where("method") + ": method '" + set.method +
                       "' does not apply to source '" + set.source +
                       "' (sqlite: online; mysql: snapshot, logical, physical)");
  }
  return {};
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
  ConfigTable reader(table, file, "[set '" + set.name + "']",
                     "DBKEEP_SET_" + env_component(set.name), &environment);
  TRY(reader.required_string("name"));
  TRY_ASSIGN(set.source, reader.required_string("source"));
  if (set.source != "sqlite" && set.source != "mysql") {
    return usage_error(reader.where("source") + ": must be mysql or sqlite, got '" + set.source +
                       "'");
  }
  TRY_ASSIGN(auto method, reader.string("method"));
  set.method = method.value_or(set.source == "sqlite" ? "online" : "");
  if (set.method.empty()) {
    TRY_ASSIGN(set.method, reader.required_string("method"));
  }
  TRY(check_method(reader, set));

  TRY_ASSIGN(auto compression, reader.string("compression"));
  if (compression) {
    auto codec = pipeline::parse_codec(*compression);
    if (!codec) {
      return usage_error(reader.where("compression") + ": must be zstd, gzip or none, got '" +
                         *compression + "'");
    }
    set.codec.codec = *codec;
  }
  int max_level = set.codec.codec == pipeline::Codec::kGzip ? 9 : 19;
  TRY_ASSIGN(auto level, reader.integer("compression_level", 1, max_level));
  set.codec.level =
      level ? static_cast<int>(*level) : (set.codec.codec == pipeline::Codec::kGzip ? 6 : 3);
  int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  TRY_ASSIGN(auto threads, reader.integer("compression_threads", 0, 256));
  set.codec.threads = threads ? static_cast<int>(*threads) : cores;
  TRY_ASSIGN(auto parallel, reader.integer("parallel", 1, 256));
  set.parallel = parallel ? static_cast<int>(*parallel) : std::min(cores, 4);

  auto sqlite = reader.subtable("sqlite");
  auto mysql = reader.subtable("mysql");
  auto snapshot = reader.subtable("snapshot");
  if (set.source == "sqlite") {
    TRY_ASSIGN(set.sqlite, parse_sqlite(std::move(sqlite)));
  } else {
    TRY_ASSIGN(set.mysql, parse_mysql(std::move(mysql)));
    if (set.method == "snapshot") {
      TRY_ASSIGN(set.snapshot, parse_snapshot(std::move(snapshot)));
    }
  }
  TRY_ASSIGN(set.retention, parse_retention(reader.subtable("retention")));
  TRY_ASSIGN(set.schedule, parse_schedule(reader.subtable("schedule")));
  TRY_ASSIGN(set.hooks, parse_hooks(reader.subtable("hooks")));
  TRY(reader.reject_unknown_keys());
  return set;
}

}  // namespace

Result<const SetConfig*> Config::find_set(const std::string& name) const {
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
      for (const auto& existing : config.sets) {
        if (existing.name == set.name) {
          return usage_error(file + ": two sets are named '" + set.name + "'");
        }
      }
      config.sets.push_back(std::move(set));
    }
  }
  TRY(top.reject_unknown_keys());
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
