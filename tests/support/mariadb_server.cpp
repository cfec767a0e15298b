#include "support/mariadb_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/source/mysql/datadir_mapping.hpp"

namespace dbkeep::test {
namespace fs = std::filesystem;
namespace {

constexpr const char* kServerBinary = "/usr/sbin/mariadbd";
constexpr const char* kInstallBinary = "/usr/bin/mariadb-install-db";

Result<void> give_to_mysql(const fs::path& path) {
  const passwd* user = ::getpwnam("mysql");
  if (user == nullptr) return fail("no 'mysql' user on this machine");
  if (::chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
    return fail(errno_message("chown mysql " + path.string(), errno));
  }
  return {};
}

// Asks the kernel for a free loopback port. Another process could take it before the server
// binds it; that race is rare enough for tests, and start() then fails with the error log.
Result<unsigned> find_free_port() {
  core::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail(errno_message("socket", errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return fail(errno_message("bind 127.0.0.1:0", errno));
  }
  socklen_t length = sizeof(address);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return fail(errno_message("getsockname", errno));
  }
  return static_cast<unsigned>(ntohs(address.sin_port));
}

// True once the process is gone or a zombie (we must not reap it behind ChildProcess's back).
bool has_exited(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto close_paren = text.rfind(')');
  return close_paren == std::string::npos || close_paren + 2 >= text.size() ||
         text[close_paren + 2] == 'Z';
}

// mariadb-install-db takes ~4 s here, most of a test's run time when ctest starts one process
// per test. So it runs once per mariadbd build into a cached template that each server copies
// (~30 MB; a reflink on btrfs). A small redo log keeps the copy cheap; servers use the same size
// so InnoDB does not resize it at start-up.
constexpr const char* kRedoLogSize = "--innodb-log-file-size=16M";

Result<fs::path> template_datadir() {
  struct stat binary {};
  if (::stat(kServerBinary, &binary) != 0) return fail(errno_message(kServerBinary, errno));
  const fs::path root =
      fs::temp_directory_path() / ("dbkeep-mariadb-template-" + std::to_string(binary.st_size) +
                                   "-" + std::to_string(binary.st_mtime));
  const fs::path datadir = root / "data";
  const fs::path complete = root / "complete";

  // Parallel test processes (ctest -j) serialise here; the first one builds the template.
  const fs::path lock_path = fs::temp_directory_path() / "dbkeep-mariadb-template.lock";
  core::Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!lock || ::flock(lock.get(), LOCK_EX) != 0) {
    return fail(errno_message("lock " + lock_path.string(), errno));
  }
  if (fs::exists(complete)) return datadir;

  std::error_code ignored;
  fs::remove_all(root, ignored);
  fs::create_directories(datadir);
  fs::permissions(root, fs::perms(0755));
  TRY(give_to_mysql(root));
  TRY(give_to_mysql(datadir));
  core::SystemCommandRunner runner;
  core::Command install{
      {kInstallBinary, "--no-defaults", "--user=mysql", "--datadir=" + datadir.string(),
       "--auth-root-authentication-method=socket", "--skip-test-db", kRedoLogSize}};
  install.timeout = std::chrono::seconds(120);
  TRY_ASSIGN(auto installed, runner.run(install));
  if (!installed.success()) {
    return fail("mariadb-install-db failed: " + installed.describe_failure() + "\n" +
                installed.stdout_text);
  }
  std::ofstream(complete) << "ok\n";
  return datadir;
}

// Copies the template into `datadir` (existing, empty), keeping owners and modes.
Result<void> copy_template(const fs::path& from, const fs::path& datadir) {
  core::SystemCommandRunner runner;
  TRY(core::run_checked(runner, core::Command{{"cp", "-a", "--reflink=auto", (from / ".").string(),
                                               datadir.string()}}));
  return {};
}

}  // namespace

std::optional<std::string> mariadb_missing_reason() {
  if (::access(kServerBinary, X_OK) != 0) {
    return std::string(kServerBinary) + " is not installed (apt-get install mariadb-server)";
  }
  if (::access(kInstallBinary, X_OK) != 0) return std::string(kInstallBinary) + " is missing";
  if (::geteuid() != 0) return std::string("tests must run as root to start mariadbd as mysql");
  if (::getpwnam("mysql") == nullptr) return std::string("there is no 'mysql' user");
  return std::nullopt;
}

Result<std::unique_ptr<MariaDbServer>> MariaDbServer::start(MariaDbServerOptions options) {
  if (auto reason = mariadb_missing_reason()) return fail("cannot start MariaDB: " + *reason);
  const auto started = std::chrono::steady_clock::now();
  std::unique_ptr<MariaDbServer> server(new MariaDbServer());

  // mkdtemp makes a 0700 root directory; the server (user mysql) must enter and write it.
  std::string pattern = (fs::temp_directory_path() / "dbkeep-mariadb-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return fail(errno_message("mkdtemp", errno));
  server->temp_dir_ = pattern;
  server->keep_data_ = options.keep_data;
  fs::permissions(server->temp_dir_, fs::perms(0755));
  TRY(give_to_mysql(server->temp_dir_));

  server->datadir_ = options.datadir.value_or(server->temp_dir_ / "data");
  server->custom_datadir_ = options.datadir.has_value();
  server->socket_ = server->temp_dir_ / "mysqld.sock";
  server->error_log_ = server->temp_dir_ / "error.log";
  std::error_code ec;
  fs::create_directories(server->datadir_, ec);
  if (ec) return fail("cannot create datadir " + server->datadir_.string() + ": " + ec.message());
  if (!fs::is_empty(server->datadir_, ec)) {
    return fail("datadir " + server->datadir_.string() + " is not empty");
  }
  TRY(give_to_mysql(server->datadir_));

  // Its own tmpdir: the shared /tmp is swept by other tests' cleanup, and a server whose
  // internal temporary table vanishes fails the statement using it.
  const fs::path server_tmp = server->temp_dir_ / "tmp";
  fs::create_directories(server_tmp, ec);
  if (ec) return fail("cannot create " + server_tmp.string() + ": " + ec.message());
  TRY(give_to_mysql(server_tmp));

  TRY_ASSIGN(auto template_dir, template_datadir());
  TRY(copy_template(template_dir, server->datadir_));

  TRY_ASSIGN(server->port_, find_free_port());
  core::SpawnOptions spawn;
  spawn.argv = {kServerBinary,
                "--no-defaults",
                "--user=mysql",
                "--datadir=" + server->datadir_.string(),
                "--socket=" + server->socket_.string(),
                "--port=" + std::to_string(server->port_),
                "--bind-address=127.0.0.1",
                "--pid-file=" + (server->temp_dir_ / "mysqld.pid").string(),
                "--log-error=" + server->error_log_.string(),
                "--tmpdir=" + server_tmp.string(),
                "--log-bin=mysql-bin",
                "--server-id=1",
                "--innodb-buffer-pool-size=64M",
                kRedoLogSize};
  spawn.argv.insert(spawn.argv.end(), options.extra_args.begin(), options.extra_args.end());
  if (options.datadir_seen_as) {
    fs::create_directories(*options.datadir_seen_as, ec);
    if (ec) return fail("cannot create " + options.datadir_seen_as->string() + ": " + ec.message());
    for (auto& arg : spawn.argv) {
      if (arg.starts_with("--datadir=")) arg = "--datadir=" + options.datadir_seen_as->string();
    }
    spawn.argv = source::mysql::with_bind_mount(server->datadir_, *options.datadir_seen_as,
                                                std::move(spawn.argv));
  }
  server->argv_ = spawn.argv;
  TRY_ASSIGN(auto process, core::ChildProcess::spawn(spawn));
  server->process_.emplace(std::move(process));
  TRY(server->wait_until_ready(options.start_timeout));
  server->startup_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return server;
}

Result<void> MariaDbServer::wait_until_ready(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto options = root_options();
  options.connect_timeout = std::chrono::seconds(2);
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    if (has_exited(process_->pid())) {
      return fail("mariadbd exited during start-up; error log:\n" + error_log_tail());
    }
    if (fs::exists(socket_)) {
      auto connection = source::mysql::Connection::connect(options);
      if (connection) return {};
      last_error = connection.error().message;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return fail("mariadbd did not answer within " + std::to_string(timeout.count()) + " s (" +
              last_error + "); error log:\n" + error_log_tail());
}

void MariaDbServer::kill_hard() {
  if (!process_) return;
  ::kill(process_->pid(), SIGKILL);
  (void)process_->wait();
  process_.reset();
}

void MariaDbServer::shut_down() {
  if (!process_) return;
  process_->terminate(std::chrono::seconds(30));
  process_.reset();
}

Result<void> MariaDbServer::start_again(std::chrono::seconds timeout) {
  if (process_) return fail("the server is still running");
  std::error_code ignored;
  fs::remove(socket_, ignored);  // a killed server leaves its socket behind
  core::SpawnOptions spawn;
  spawn.argv = argv_;
  TRY_ASSIGN(auto process, core::ChildProcess::spawn(spawn));
  process_.emplace(std::move(process));
  return wait_until_ready(timeout);
}

MariaDbServer::~MariaDbServer() {
  const bool discard_data = !keep_data_ && !custom_datadir_;
  if (process_ && discard_data) {
    // Nobody will read this datadir again: no need for a clean shutdown.
    ::kill(process_->pid(), SIGKILL);
    (void)process_->wait();
  } else if (process_) {
    // SIGTERM shuts mariadbd down cleanly; ChildProcess escalates to SIGKILL after the grace.
    process_->terminate(std::chrono::seconds(30));
  }
  if (!keep_data_) {
    std::error_code ignored;
    fs::remove_all(temp_dir_, ignored);
  }
}

source::mysql::ConnectionOptions MariaDbServer::root_options() const {
  source::mysql::ConnectionOptions options;
  options.socket = socket_.string();
  options.user = "root";
  return options;
}

source::mysql::ConnectionOptions MariaDbServer::options_for(const std::string& user,
                                                            const std::string& password) const {
  auto options = root_options();
  options.user = user;
  options.password = password;
  return options;
}

Result<source::mysql::Connection> MariaDbServer::connect_root() const {
  return source::mysql::Connection::connect(root_options());
}

void MariaDbServer::execute(const std::string& sql) const {
  auto connection = connect_root();
  if (!connection) throw std::runtime_error(connection.error().message);
  if (auto done = connection->execute(sql); !done) throw std::runtime_error(done.error().message);
}

source::mysql::QueryResult MariaDbServer::query(const std::string& sql) const {
  auto connection = connect_root();
  if (!connection) throw std::runtime_error(connection.error().message);
  auto result = connection->query(sql);
  if (!result) throw std::runtime_error(result.error().message);
  return std::move(*result);
}

std::optional<std::string> MariaDbServer::query_value(const std::string& sql) const {
  auto result = query(sql);
  if (result.rows.empty() || result.rows[0].empty()) return std::nullopt;
  return result.rows[0][0];
}

void MariaDbServer::create_user(const std::string& user, const std::string& password) const {
  log::register_secret(password);  // CREATE USER's text would carry it into an error message
  auto connection = connect_root();
  if (!connection) throw std::runtime_error(connection.error().message);
  const std::string name = connection->escape_string(user);
  const std::string secret = connection->escape_string(password);
  for (const char* host : {"localhost", "127.0.0.1"}) {
    const std::string account = "'" + name + "'@'" + host + "'";
    for (const std::string& sql :
         {"CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY '" + secret + "'",
          "GRANT RELOAD, LOCK TABLES, PROCESS, BINLOG MONITOR, REPLICA MONITOR, SELECT, "
          "SHOW VIEW, EVENT, TRIGGER, CONNECTION ADMIN ON *.* TO " +
              account}) {
      if (auto done = connection->execute(sql); !done) {
        throw std::runtime_error(done.error().message);
      }
    }
  }
}

std::string MariaDbServer::error_log_tail(std::size_t lines) const {
  std::ifstream in(error_log_);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& line : tail) out += line + "\n";
  return out.empty() ? "(error log " + error_log_.string() + " is empty)" : out;
}

}  // namespace dbkeep::test
