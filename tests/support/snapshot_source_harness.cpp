#include "support/snapshot_source_harness.hpp"

#include <algorithm>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/backup_session.hpp"
#include "dbkeep/repo/repository.hpp"
#include "dbkeep/storage/local_backend.hpp"

namespace dbkeep::test {

void SnapshotSourceHarness::SetUp() {
  MariaDbTestSuite::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  core::reset_cancellation_for_testing();
  server().execute("CREATE DATABASE IF NOT EXISTS harness");
  server().execute("CREATE TABLE IF NOT EXISTS harness.t (id INT AUTO_INCREMENT PRIMARY KEY)");
  live_root_ = server().datadir().parent_path();
}

source::mysql::SnapshotSourceSettings SnapshotSourceHarness::base_settings() const {
  source::mysql::SnapshotSourceSettings settings;
  settings.set = "main";
  settings.mysql.socket = server().socket().string();
  settings.mysql.user = "root";
  settings.mysql.lock_wait_timeout_s = 1;
  settings.mysql.lock_attempts = 1;
  settings.journal_file = scratch_.path() / "state" / "main.resources.json";
  settings.repository_path = scratch_.path() / "repo";
  return settings;
}

Result<void> SnapshotSourceHarness::run_backup(
    nlohmann::json* facts, const std::function<void(const std::string& id)>& before_run,
    source::StageHook stage_hook) {
  repo::Repository repository(std::make_unique<storage::LocalBackend>(scratch_.path() / "repo"));
  source::mysql::SnapshotSource source(settings(), runner_);
  source.set_stage_hook(std::move(stage_hook));
  TRY(source.estimate());
  repo::Manifest draft;
  draft.set = "main";
  draft.source = core::SourceKind::kMysql;
  draft.method = core::Method::kSnapshot;
  draft.started_at = core::now_seconds();
  TRY_ASSIGN(draft.id, repository.reserve_id("main", draft.started_at));
  if (before_run) before_run(draft.id);
  repo::BackupSession session(repository, std::move(draft), repo::SessionOptions{});
  TRY(source.run(session));
  if (facts) *facts = session.facts();
  TRY(session.commit());
  return {};
}

std::ptrdiff_t SnapshotSourceHarness::position_of(const std::string& prefix) const {
  auto lines = runner_->command_lines();
  auto found = std::ranges::find_if(
      lines, [&](const std::string& line) { return line.starts_with(prefix); });
  return found == lines.end() ? -1 : found - lines.begin();
}

void SnapshotSourceHarness::expect_server_writable() {
  auto writer = server().connect_root();
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->execute("SET SESSION lock_wait_timeout = 1"));
  auto inserted = writer->execute("INSERT INTO harness.t VALUES ()");
  EXPECT_TRUE(inserted) << "global lock still held: " << inserted.error().message;
}

}  // namespace dbkeep::test
