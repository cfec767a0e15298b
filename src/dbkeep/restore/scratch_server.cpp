#include "dbkeep/restore/scratch_server.hpp"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>

#include "dbkeep/core/executable_path.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/restore/restored_server.hpp"

namespace dbkeep::restore {
namespace fs = std::filesystem;
namespace {

bool executable(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
}

std::optional<fs::path> look_up(const std::vector<std::string>& names,
                                std::vector<fs::path> directories) {
  for (const auto& name : names) {
    for (const auto& directory : directories) {
      if (executable(directory / name)) return directory / name;
    }
  }
  return std::nullopt;
}

// The process state from /proc: gone or a zombie means it has ended. (We must not reap it
// behind ChildProcess's back.)
bool has_ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close_paren = text.rfind(')');
  return close_paren == std::string::npos || close_paren + 2 >= text.size() ||
         text[close_paren + 2] == 'Z';
}

}  // namespace

Result<fs::path> find_server_binary(const std::string& configured) {
  if (!configured.empty()) {
    if (configured.find('/') != std::string::npos) {
      if (executable(configured)) return fs::path(configured);
      return usage_error("verify.server_binary " + configured + " is not an executable file");
    }
    if (auto found = look_up({configured}, core::search_path())) return *found;
    return usage_error("verify.server_binary '" + configured + "' is not in PATH");
  }
  auto directories = core::search_path();
  for (const char* extra : {"/usr/sbin", "/usr/libexec", "/usr/local/mysql/bin"}) {
    directories.emplace_back(extra);
  }
  if (auto found = look_up({"mariadbd", "mysqld"}, directories)) return *found;
  return usage_error(
      "the restore test needs a MariaDB/MySQL server binary and none is installed here (looked "
      "for mariadbd and mysqld in PATH, /usr/sbin, /usr/libexec, /usr/local/mysql/bin); install "
      "one (Debian: apt-get install mariadb-server) or set server_binary in [verify]");
}

Result<fs::path> find_install_db_binary(const fs::path& server) {
  std::vector<fs::path> directories = {server.parent_path(),
                                       server.parent_path().parent_path() / "bin"};
  auto rest = core::search_path();
  directories.insert(directories.end(), rest.begin(), rest.end());
  if (auto found = look_up({"mariadb-install-db", "mysql_install_db"}, directories)) {
    return *found;
  }
  return usage_error("the restore test of a logical backup needs mariadb-install-db next to " +
                     server.string() + " or in PATH; none was found");
}

Result<std::unique_ptr<ScratchServer>> ScratchServer::start(const ScratchServerOptions& options) {
  const passwd* user = ::getpwnam(options.owner.c_str());
  if (user == nullptr) return usage_error("no user '" + options.owner + "' to run the server as");
  std::error_code error;
  fs::create_directories(options.runtime_dir, error);
  if (error) return fail("cannot create " + options.runtime_dir.string() + ": " + error.message());
  if (::chown(options.runtime_dir.c_str(), user->pw_uid, user->pw_gid) != 0) {
    return fail(errno_message("chown " + options.runtime_dir.string(), errno));
  }

  std::unique_ptr<ScratchServer> server(new ScratchServer());
  server->socket_ = options.socket.empty() ? options.runtime_dir / "mysqld.sock" : options.socket;
  server->error_log_ = options.runtime_dir / "error.log";
  RestoredServerOptions command{options.datadir, options.owner, options.binary.string(),
                                options.log_bin};
  auto argv = server_command(command, options.runtime_dir);
  // Nobody but the drill talks to it; it must not start replicating, run events or hold a
  // production-sized buffer pool.
  for (const char* extra : {"--skip-grant-tables", "--skip-slave-start", "--event-scheduler=OFF",
                            "--innodb-buffer-pool-size=64M", "--max-connections=50"}) {
    argv.emplace_back(extra);
  }
  // The later --socket wins over server_command's.
  if (!options.socket.empty()) argv.push_back("--socket=" + options.socket.string());
  if (options.read_only) {
    // MariaDB's read_only does not stop a user with READ ONLY ADMIN (10.11: every user of a
    // --skip-grant-tables server); InnoDB's own read-only mode refuses writes from anyone.
    argv.emplace_back("--innodb-read-only");
    argv.emplace_back("--read-only");
  }
  log::info("starting a scratch server: " + options.binary.string() + " on " +
            options.datadir.string());
  TRY_ASSIGN(auto process, core::ChildProcess::spawn({.argv = argv}));
  server->process_.emplace(std::move(process));
  const pid_t pid = server->process_->pid();
  auto* raw = server.get();
  TRY(wait_until_answers(options.binary.string(), pid, server->socket_, server->error_log_,
                         options.timeout, [raw] { return raw->exited(); }));
  return server;
}

ScratchServer::~ScratchServer() {
  if (!process_) return;
  ::kill(process_->pid(), SIGKILL);
  (void)process_->wait();
  // A killed server leaves its socket and lock file; outside the scratch directory nothing
  // else would remove them.
  std::error_code ignored;
  fs::remove(socket_, ignored);
  fs::remove(socket_.string() + ".lock", ignored);
}

Result<void> ScratchServer::shutdown() {
  if (!process_) return {};
  {
    TRY_ASSIGN(auto connection, connect());
    TRY(connection.execute("SHUTDOWN"));
  }
  TRY_ASSIGN(auto status, process_->wait());
  process_.reset();
  if (!status.success()) {
    return fail("the server on the restored datadir did not shut down cleanly (" +
                status.describe() + "); see " + error_log_.string());
  }
  return {};
}

std::optional<std::string> ScratchServer::exited() const {
  if (!process_ || !has_ended(process_->pid())) return std::nullopt;
  return std::string("it has stopped");
}

source::mysql::ConnectionOptions ScratchServer::connection_options() const {
  source::mysql::ConnectionOptions options;
  options.socket = socket_.string();
  options.user = "root";
  options.connect_timeout = std::chrono::seconds(10);
  return options;
}

Result<source::mysql::Connection> ScratchServer::connect() const {
  return source::mysql::Connection::connect(connection_options());
}

}  // namespace dbkeep::restore
