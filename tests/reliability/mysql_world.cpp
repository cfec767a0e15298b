#include "mysql_world.hpp"

#include <sys/stat.h>

#include <fstream>

namespace dbkeep::test::reliability {
namespace {

std::unique_ptr<MysqlWorld>& slot() {
  static std::unique_ptr<MysqlWorld> world;
  return world;
}

std::string& failure() {
  static std::string reason;
  return reason;
}

}  // namespace

MysqlWorld* MysqlWorld::get(std::string& reason) {
  if (slot()) return slot().get();
  if (!failure().empty()) {
    reason = failure();
    return nullptr;
  }
  failure() = SnapshotWorkspace::unavailable_reason();
  if (failure().empty()) {
    auto workspace = SnapshotWorkspace::create();
    if (!workspace) {
      failure() = "the MariaDB snapshot workspace did not start: " + workspace.error().message;
    } else {
      auto world = std::make_unique<MysqlWorld>();
      world->workspace_ = std::move(*workspace);
      auto& server = world->server();
      server.execute("CREATE DATABASE app");
      server.execute("CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(200)) ENGINE=InnoDB");
      server.execute("INSERT INTO app.t SELECT seq, REPEAT(MD5(seq), 6) FROM app.seq_1_to_150000");
      server.execute("CREATE TABLE app.probe (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB");
      server.create_user("backup", kPassword);
      std::ofstream(world->password_file()) << kPassword << "\n";
      ::chmod(world->password_file().c_str(), 0600);
      slot() = std::move(world);
      return slot().get();
    }
  }
  reason = failure();
  return nullptr;
}

void MysqlWorld::release() {
  slot().reset();
}

std::filesystem::path MysqlWorld::write_config(const std::string& name, const std::string& method,
                                               const std::string& extra_set_keys,
                                               bool password_file_in_config) const {
  auto path = workspace_->dir() / (name + ".toml");
  std::ofstream out(path, std::ios::trunc);
  out << "[repository]\npath = \"" << workspace_->repository().string() << "\"\n"
      << "temp_dir = \"" << workspace_->dir().string() << "\"\n"
      << "[log]\nfile = \"" << (workspace_->dir() / "dbkeep.log").string() << "\"\n"
      << "[[set]]\nname = \"" << name << "\"\nsource = \"mysql\"\nmethod = \"" << method
      << "\"\ncompression_level = 1\n"
      << extra_set_keys << "[set.mysql]\nsocket = \"" << workspace_->server().socket().string()
      << "\"\nuser = \"backup\"\n";
  if (password_file_in_config) out << "password_file = \"" << password_file().string() << "\"\n";
  if (method == "snapshot") {
    out << "[set.snapshot]\nprovider = \"btrfs\"\nvolume = \""
        << workspace_->volume().subvolume().string() << "\"\nmount_point = \""
        << workspace_->snapshot_dir().string() << "\"\n";
  }
  return path;
}

bool MysqlWorld::server_writable() {
  auto connection = workspace_->server().connect_root();
  if (!connection) return false;
  return connection->execute("SET SESSION lock_wait_timeout = 5") &&
         connection->execute("INSERT INTO app.probe VALUES ()");
}

}  // namespace dbkeep::test::reliability
