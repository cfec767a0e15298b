#include "support/snapshot_workspace.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "support/bank_writer.hpp"

namespace dbkeep::test {
namespace fs = std::filesystem;

std::string SnapshotWorkspace::unavailable_reason() {
  if (auto reason = BtrfsLoopVolume::unavailable_reason(); !reason.empty()) return reason;
  if (auto reason = mariadb_missing_reason()) return *reason;
  return "";
}

Result<std::unique_ptr<SnapshotWorkspace>> SnapshotWorkspace::create(
    std::optional<fs::path> datadir_seen_as) {
  std::unique_ptr<SnapshotWorkspace> workspace(new SnapshotWorkspace());
  // Restored datadirs go below dir(): a server running as mysql must be able to reach them.
  fs::permissions(workspace->dir(), fs::perms(0755));
  TRY_ASSIGN(workspace->volume_, BtrfsLoopVolume::create(1ull << 30));
  fs::create_directory(workspace->snapshot_dir());
  MariaDbServerOptions options;
  options.datadir = workspace->volume_->subvolume();
  options.datadir_seen_as = std::move(datadir_seen_as);
  TRY_ASSIGN(workspace->server_, MariaDbServer::start(options));
  return workspace;
}

std::string SnapshotWorkspace::lvm_unavailable_reason() {
  if (auto reason = LvmTestVolume::unavailable_reason(); !reason.empty()) return reason;
  if (auto reason = mariadb_missing_reason()) return *reason;
  return "";
}

Result<std::unique_ptr<SnapshotWorkspace>> SnapshotWorkspace::create_on_lvm(
    const std::string& lv_name, std::uint64_t lv_size, const std::string& filesystem) {
  std::unique_ptr<SnapshotWorkspace> workspace(new SnapshotWorkspace());
  fs::permissions(workspace->dir(), fs::perms(0755));
  TRY_ASSIGN(workspace->lvm_volume_, LvmTestVolume::create(lv_name, lv_size, filesystem));
  fs::create_directory(workspace->snapshot_dir());
  MariaDbServerOptions options;
  options.datadir = workspace->lvm_volume_->mount_dir() / "data";
  TRY_ASSIGN(workspace->server_, MariaDbServer::start(options));
  return workspace;
}

void SnapshotWorkspace::write_config(const std::string& set_keys, const std::string& mysql_keys,
                                     const std::string& snapshot_keys) const {
  std::ofstream(config(), std::ios::trunc)
      << "[repository]\n"
      << "path = \"" << repository().string() << "\"\n"
      << "temp_dir = \"" << dir().string() << "\"\n"
      << "[log]\nfile = \"" << (dir() / "dbkeep.log").string() << "\"\n"
      << "[[set]]\nname = \"main\"\nsource = \"mysql\"\nmethod = \"snapshot\"\n"
      << set_keys << "[set.mysql]\n"
      << "socket = \"" << server_->socket().string() << "\"\nuser = \"root\"\n"
      << mysql_keys << "[set.snapshot]\nprovider = \"" << (volume_ ? "btrfs" : "lvm") << "\"\n"
      << "volume = \"" << (volume_ ? volume_->subvolume().string() : lvm_volume_->lv_path())
      << "\"\n"
      << "mount_point = \"" << snapshot_dir().string() << "\"\n"
      << snapshot_keys;
}

bool stop_detached_server(pid_t pid, std::chrono::seconds timeout) {
  if (pid <= 0) return true;
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close_paren = text.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 >= text.size() ||
        text[close_paren + 2] == 'Z') {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid, SIGKILL);
  return false;
}

void expect_restored_bank_intact(const fs::path& socket, std::int64_t expected_total) {
  source::mysql::ConnectionOptions options;
  options.socket = socket.string();
  options.user = "root";
  auto connection = source::mysql::Connection::connect(options);
  ASSERT_TRUE(connection) << connection.error().message;
  auto total = BankWriter::total(*connection, "bank");
  ASSERT_TRUE(total) << total.error().message;
  EXPECT_EQ(*total, expected_total) << "money appeared or vanished: the copy is torn";
  auto tables = user_and_system_tables(*connection);
  EXPECT_GT(tables.size(), 2U);
  for (const auto& table : tables) {
    auto checked = connection->query("CHECK TABLE " + table);
    ASSERT_TRUE(checked) << checked.error().message;
    ASSERT_FALSE(checked->rows.empty());
    const auto& last = checked->rows.size() - 1;  // the final row is the status
    EXPECT_EQ(checked->value(last, "Msg_text").value_or(""), "OK") << table;
  }
}

std::vector<std::string> user_and_system_tables(source::mysql::Connection& connection) {
  std::vector<std::string> tables;
  auto result = connection.query(
      "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) FROM information_schema.TABLES "
      "WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN "
      "('information_schema', 'performance_schema', 'sys') ORDER BY 1");
  EXPECT_TRUE(result) << result.error().message;
  if (!result) return tables;
  for (const auto& row : result->rows) tables.push_back(row[0].value_or(""));
  return tables;
}

}  // namespace dbkeep::test
