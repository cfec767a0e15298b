#include "dbkeep/restore/restored_server.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <fstream>
#include <thread>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/child_environment.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/source/mysql/connection.hpp"

namespace dbkeep::restore {
namespace fs = std::filesystem;

std::string file_tail(const fs::path& file, std::size_t lines) {
  std::ifstream in(file);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string text;
  for (const auto& line : last) text += "  " + line + "\n";
  return text;
}

namespace {

Result<fs::path> make_runtime_dir(const std::string& owner) {
  std::string pattern = (fs::temp_directory_path() / "dbkeep-server-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return fail(errno_message("mkdtemp", errno));
  const passwd* user = ::getpwnam(owner.c_str());
  if (user == nullptr) return usage_error("no user '" + owner + "' to run the server as");
  // The server (running as `owner`) creates its socket, pid file and log here.
  if (::chown(pattern.c_str(), user->pw_uid, user->pw_gid) != 0 ||
      ::chmod(pattern.c_str(), 0755) != 0) {
    return fail(errno_message("preparing " + pattern, errno));
  }
  return fs::path(pattern);
}

// Detached: own session, stdin/stdout/stderr on /dev/null (the error log is a file), so it
// outlives dbkeep and never holds dbkeep's output pipes open.
Result<pid_t> spawn_detached(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);
  for (int fd = 0; fd <= 2; ++fd) {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  std::vector<char*> raw;
  for (const auto& arg : argv) raw.push_back(const_cast<char*>(arg.c_str()));
  raw.push_back(nullptr);
  pid_t pid = 0;
  auto env_strings = core::child_environment();
  std::vector<char*> env;
  for (auto& entry : env_strings) env.push_back(entry.data());
  env.push_back(nullptr);
  int error = ::posix_spawnp(&pid, raw[0], &actions, &attributes, raw.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) return fail(errno_message("cannot start " + argv[0], error));
  return pid;
}

// True once the server accepts connections. "Access denied" counts: the server is up, only
// our user (root over the socket) may not log in.
bool answers(const fs::path& socket) {
  if (!fs::exists(socket)) return false;
  source::mysql::ConnectionOptions options;
  options.socket = socket.string();
  options.user = "root";
  options.connect_timeout = std::chrono::seconds(5);
  auto connection = source::mysql::Connection::connect(options);
  return connection || connection.error().message.find("Access denied") != std::string::npos;
}

}  // namespace

std::vector<std::string> server_command(const RestoredServerOptions& options,
                                        const fs::path& runtime_dir) {
  std::vector<std::string> argv = {options.binary,
                                   "--no-defaults",
                                   "--user=" + options.owner,
                                   "--datadir=" + options.datadir.string(),
                                   "--socket=" + (runtime_dir / "mysqld.sock").string(),
                                   "--skip-networking",
                                   "--pid-file=" + (runtime_dir / "mysqld.pid").string(),
                                   "--log-error=" + (runtime_dir / "error.log").string()};
  if (!options.log_bin.empty()) argv.push_back("--log-bin=" + options.log_bin);
  return argv;
}

Result<void> wait_until_answers(const std::string& binary, pid_t pid, const fs::path& socket,
                                const fs::path& error_log, std::chrono::seconds timeout,
                                const std::function<std::optional<std::string>()>& exited) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    TRY(core::check_cancellation());
    if (auto how = exited()) {
      return fail(binary + " exited during start-up (" + *how + "); " + error_log.string() +
                  " ends with:\n" + file_tail(error_log));
    }
    if (answers(socket)) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return fail(binary + " (pid " + std::to_string(pid) + ") did not answer within " +
              std::to_string(timeout.count()) + " s; it is still running. " + error_log.string() +
              " ends with:\n" + file_tail(error_log));
}

Result<RestoredServer> start_restored_server(const RestoredServerOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  RestoredServer server;
  TRY_ASSIGN(server.runtime_dir, make_runtime_dir(options.owner));
  server.socket = server.runtime_dir / "mysqld.sock";
  server.pid_file = server.runtime_dir / "mysqld.pid";
  server.error_log = server.runtime_dir / "error.log";
  TRY_ASSIGN(server.pid, spawn_detached(server_command(options, server.runtime_dir)));
  log::info("started " + options.binary + " (pid " + std::to_string(server.pid) + ") on " +
            options.datadir.string() + "; waiting for it to answer on " + server.socket.string());
  const pid_t pid = server.pid;
  TRY(wait_until_answers(options.binary, pid, server.socket, server.error_log, options.timeout,
                         [pid]() -> std::optional<std::string> {
                           int status = 0;
                           if (::waitpid(pid, &status, WNOHANG) != pid) return std::nullopt;
                           return WIFEXITED(status)
                                      ? "exit code " + std::to_string(WEXITSTATUS(status))
                                      : "signal " + std::to_string(WTERMSIG(status));
                         }));
  server.startup_time = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return server;
}

}  // namespace dbkeep::restore
