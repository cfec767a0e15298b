#pragma once
// The configuration `dbkeep init` writes: the commented example shipped in
// packaging/dbkeep.example.toml (embedded at build time), or a smaller file rendered from the
// answers of `dbkeep init --interactive`. Both must pass load_config(); tests check that.

#include <string>
#include <string_view>

namespace dbkeep::ops {

// packaging/dbkeep.example.toml, byte for byte.
std::string_view example_config();

// The essentials `init --interactive` asks for. Defaults are what the prompts offer.
struct InitAnswers {
  std::string set_name = "main";
  std::string source = "mysql";    // mysql | sqlite
  std::string method = "logical";  // mysql: snapshot | logical | physical; sqlite: online
  std::string sqlite_path;
  std::string mysql_socket = "/run/mysqld/mysqld.sock";
  std::string mysql_user = "root";
  std::string mysql_password_file;  // empty: none (socket authentication)
  std::string snapshot_provider = "lvm";
  std::string snapshot_volume;
  std::string snapshot_mount_point = "/mnt/dbkeep-snapshot";
  std::string repository = "/var/backups/dbkeep";  // a directory or s3://bucket/prefix
  std::string log_file = "/var/log/dbkeep/dbkeep.log";
  std::string cron = "0 2 * * *";
  int keep_last = 7;
  int keep_daily = 7;
  int keep_weekly = 4;
  int keep_monthly = 6;
};

// A commented configuration holding exactly the answers (the rest keeps its defaults).
std::string render_config(const InitAnswers& answers);

// `text` as a TOML basic string, quotes included ("a \"b\"\n" → "\"a \\\"b\\\"\\n\"").
std::string toml_string(std::string_view text);

}  // namespace dbkeep::ops
