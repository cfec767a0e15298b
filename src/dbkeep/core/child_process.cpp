#include "dbkeep/core/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "dbkeep/core/child_environment.hpp"

namespace dbkeep::core {
namespace {

struct Pipe {
  Fd read_end, write_end;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail(errno_message("pipe", errno));
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

ExitStatus decode(int raw) {
  ExitStatus status;
  if (WIFEXITED(raw)) status.exit_code = WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) status.signal = WTERMSIG(raw);
  return status;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) return std::string("killed by signal ") + ::strsignal(signal);
  return "exit code " + std::to_string(exit_code);
}

Result<ChildProcess> ChildProcess::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return fail("cannot start a process from an empty command");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  struct ActionsGuard {
    posix_spawn_file_actions_t* a;
    ~ActionsGuard() { posix_spawn_file_actions_destroy(a); }
  } actions_guard{&actions};

  ChildProcess child;
  std::optional<Pipe> in, out, err;
  if (options.pipe_stdin) {
    TRY_ASSIGN(in, make_pipe());
    posix_spawn_file_actions_adddup2(&actions, in->read_end.get(), STDIN_FILENO);
  } else if (options.stdin_from >= 0) {
    posix_spawn_file_actions_adddup2(&actions, options.stdin_from, STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (options.pipe_stdout) {
    TRY_ASSIGN(out, make_pipe());
    posix_spawn_file_actions_adddup2(&actions, out->write_end.get(), STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  }
  if (options.pipe_stderr) {
    TRY_ASSIGN(err, make_pipe());
    posix_spawn_file_actions_adddup2(&actions, err->write_end.get(), STDERR_FILENO);
  }
  if (options.working_directory) {
    posix_spawn_file_actions_addchdir_np(&actions, options.working_directory->c_str());
  }

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  auto argv_strings = options.argv;
  auto argv = pointers(argv_strings);
  auto env_strings = child_environment(options.extra_env);
  auto envp = pointers(env_strings);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) return fail(errno_message("cannot start " + options.argv[0], rc));

  child.pid_ = pid;
  if (in) child.stdin_ = std::move(in->write_end);
  if (out) child.stdout_ = std::move(out->read_end);
  if (err) child.stderr_ = std::move(err->read_end);
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      status_(std::move(other.status_)),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)),
      stderr_(std::move(other.stderr_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !status_) terminate();
    pid_ = std::exchange(other.pid_, -1);
    status_ = std::move(other.status_);
    stdin_ = std::move(other.stdin_);
    stdout_ = std::move(other.stdout_);
    stderr_ = std::move(other.stderr_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) terminate();
}

Result<ExitStatus> ChildProcess::wait() {
  if (status_) return *status_;
  stdin_.reset();  // a child reading stdin sees EOF instead of waiting on us forever
  int raw = 0;
  while (::waitpid(pid_, &raw, 0) < 0) {
    if (errno != EINTR) return fail(errno_message("waitpid", errno));
  }
  status_ = decode(raw);
  return *status_;
}

std::optional<ExitStatus> ChildProcess::try_wait() {
  if (status_ || pid_ <= 0) return status_;
  int raw = 0;
  pid_t done = ::waitpid(pid_, &raw, WNOHANG);
  if (done == pid_) status_ = decode(raw);
  return status_;
}

ExitStatus ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (status_ || pid_ <= 0) return status_.value_or(ExitStatus{});
  stdin_.reset();
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  int raw = 0;
  while (true) {
    pid_t done = ::waitpid(pid_, &raw, WNOHANG);
    if (done == pid_) break;
    if (done < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  status_ = decode(raw);
  return *status_;
}

}  // namespace dbkeep::core
