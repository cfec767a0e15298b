#include "dbkeep/backup/backup_job.hpp"

#include "dbkeep/backup/free_space.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/temp_dir.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/repo/backup_session.hpp"
#include "dbkeep/repo/set_lock.hpp"
#include "dbkeep/retention/prune_job.hpp"
#include "dbkeep/source/backup_source.hpp"

namespace dbkeep::backup {
namespace {

// Runs the set's retention after a committed backup, still under the backup's lock. The backup
// is already safe, so a failing prune is a warning, never a failed backup.
void prune_after_backup(repo::Repository& repository, const core::SetConfig& set) {
  if (!set.retention.prune_after_backup) return;
  auto report = retention::prune_locked(repository, set, retention::PruneOptions{});
  if (!report) log::warn("prune after the backup failed: " + report.error().message);
}

}  // namespace

double previous_stored_ratio(repo::Repository& repository, const std::string& set) {
  auto catalog = repository.list(set);
  if (!catalog || catalog->backups.empty()) return 1.0;
  const auto& newest = catalog->backups.front();
  if (newest.total_size() == 0) return 1.0;
  return static_cast<double>(newest.total_stored_size()) / static_cast<double>(newest.total_size());
}

std::string scratch_prefix(const std::string& set) {
  return "dbkeep-" + set + "-";
}

Result<void> remove_stale_scratch_dirs(const std::filesystem::path& temp_dir,
                                       const std::string& set) {
  std::string prefix = scratch_prefix(set);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(temp_dir, error)) {
    // mkdtemp appends exactly six characters; checking the length keeps set "a" away from the
    // scratch directories of a set named "a-b".
    auto name = entry.path().filename().string();
    if (!name.starts_with(prefix) || name.size() != prefix.size() + 6) continue;
    log::warn("removing scratch directory " + entry.path().string() +
              " left by an interrupted run");
    std::filesystem::remove_all(entry.path(), error);
    if (error) {
      return fail("cannot remove " + entry.path().string() + ": " + error.message());
    }
  }
  return {};
}

Result<repo::Manifest> run_backup(const core::Config& config, const core::SetConfig& set,
                                  repo::Repository& repository, source::StageHook stage_hook) {
  log::info("backup of set '" + set.name + "' started (source " +
            std::string(core::to_string(set.source)) + ", method " +
            std::string(core::to_string(set.method)) + ", compression " +
            std::string(pipeline::codec_name(set.codec.codec)) + ")");
  TRY_ASSIGN(auto lock, repo::SetLock::acquire(config.repository.state_dir, set.name));
  TRY(repository.remove_incomplete(set.name));
  TRY(remove_stale_scratch_dirs(config.repository.temp_dir, set.name));

  TRY_ASSIGN(auto scratch,
             core::TempDir::create(config.repository.temp_dir, scratch_prefix(set.name)));
  TRY_ASSIGN(auto source, source::make_backup_source(config, set, scratch.path()));
  source->set_stage_hook(std::move(stage_hook));
  TRY_ASSIGN(auto estimate, source->estimate());
  log::info("source holds about " + core::format_bytes(estimate.source_bytes));
  TRY(check_free_space(repository.backend(), config.repository.temp_dir, estimate,
                       previous_stored_ratio(repository, set.name)));

  repo::Manifest draft;
  draft.set = set.name;
  draft.source = set.source;
  draft.method = set.method;
  draft.started_at = core::now_seconds();
  TRY_ASSIGN(draft.id, repository.reserve_id(set.name, draft.started_at));
  log::info("backup id " + draft.id + " in " + repository.backend().describe());

  repo::BackupSession session(repository, std::move(draft),
                              repo::SessionOptions{set.codec, set.parallel});
  TRY(source->run(session));
  TRY_ASSIGN(auto manifest, session.commit());
  log::info("backup " + set.name + "/" + manifest.id +
            " complete: " + std::to_string(manifest.files.size()) + " files, " +
            core::format_bytes(manifest.total_size()) + " read, " +
            core::format_bytes(manifest.total_stored_size()) + " stored, in " +
            core::format_duration(std::chrono::milliseconds(manifest.duration_ms)));
  prune_after_backup(repository, set);
  return manifest;
}

}  // namespace dbkeep::backup
