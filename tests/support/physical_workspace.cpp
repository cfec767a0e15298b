#include "support/physical_workspace.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace dbkeep::test {
namespace fs = std::filesystem;

PhysicalWorkspace::PhysicalWorkspace(const MariaDbServer& server, const std::string& extra_physical)
    : CliWorkspace("dbkeep-physical-test-") {
  // The restored datadir lives below dir(); mariadbd runs as mysql and must reach it.
  ::chmod(dir().c_str(), 0755);
  fs::create_directories(dir() / "temp");
  fs::create_directories(bin());
  server.create_user(kPhysicalUser, kPhysicalPassword);
  {
    std::ofstream password(dir() / "mysql.pw");
    password << kPhysicalPassword << "\n";
  }
  ::chmod((dir() / "mysql.pw").c_str(), 0600);
  std::ofstream out(config());
  out << "[repository]\npath = \"" << (dir() / "repo").string() << "\"\n"
      << "state_dir = \"" << (dir() / "state").string() << "\"\n"
      << "temp_dir = \"" << (dir() / "temp").string() << "\"\n"
      << "[log]\nfile = \"" << (dir() / "dbkeep.log").string() << "\"\n"
      << "[[set]]\nname = \"db\"\nsource = \"mysql\"\nmethod = \"physical\"\n"
      << "[set.mysql]\nsocket = \"" << server.socket().string() << "\"\nuser = \"" << kPhysicalUser
      << "\"\npassword_file = \"" << (dir() / "mysql.pw").string() << "\"\n"
      << "[set.physical]\nparallel = 2\n"
      << extra_physical;
  const char* path = std::getenv("PATH");
  set_path(bin().string() + ":" + (path ? path : "/usr/bin:/bin"));
}

std::string PhysicalWorkspace::log_text() const {
  std::ifstream in(dir() / "dbkeep.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void PhysicalWorkspace::wrap_tool(const std::string& body) {
  auto script = bin() / "mariabackup";
  // dbkeep asks the tool for its version before the backup; that always goes to the real one.
  std::ofstream(script) << "#!/bin/sh\n"
                        << "[ \"$1\" = --version ] && exec /usr/bin/mariabackup --version\n"
                        << body << "\n";
  ::chmod(script.c_str(), 0755);
}

Result<std::unique_ptr<RestoredMariaDb>> RestoredMariaDb::start(const fs::path& datadir,
                                                                const fs::path& runtime_dir) {
  std::unique_ptr<RestoredMariaDb> server(new RestoredMariaDb());
  fs::create_directories(runtime_dir);
  ::chmod(runtime_dir.c_str(), 0777);
  server->socket_ = runtime_dir / "mysqld.sock";
  server->error_log_ = runtime_dir / "error.log";
  TRY_ASSIGN(auto child,
             core::ChildProcess::spawn(
                 {.argv = {"mariadbd", "--no-defaults", "--user=mysql",
                           "--datadir=" + datadir.string(), "--socket=" + server->socket_.string(),
                           "--skip-networking", "--pid-file=" + (runtime_dir / "pid").string(),
                           "--log-error=" + server->error_log_.string()}}));
  server->process_ = std::move(child);
  for (int attempt = 0; attempt < 1200; ++attempt) {
    if (server->connect()) return server;
    if (::kill(server->process_->pid(), 0) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return fail("mariadbd did not start on the restored datadir:\n" + server->error_log_tail());
}

RestoredMariaDb::~RestoredMariaDb() {
  if (process_) process_->terminate(std::chrono::seconds(60));
}

Result<source::mysql::Connection> RestoredMariaDb::connect() const {
  source::mysql::ConnectionOptions options;
  options.socket = socket_.string();
  options.user = "root";
  return source::mysql::Connection::connect(options);
}

std::string RestoredMariaDb::error_log_tail() const {
  std::ifstream in(error_log_);
  std::stringstream text;
  text << in.rdbuf();
  auto all = text.str();
  return all.size() > 3000 ? all.substr(all.size() - 3000) : all;
}

}  // namespace dbkeep::test
