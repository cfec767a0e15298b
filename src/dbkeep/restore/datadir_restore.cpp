#include "dbkeep/restore/datadir_restore.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <thread>

#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/fd.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/file_owner.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/repo/binlog_position.hpp"
#include "dbkeep/restore/aside_path.hpp"

namespace dbkeep::restore {
namespace fs = std::filesystem;
namespace {

// A stored path must stay below the target: no absolute paths, no "..".
Result<fs::path> inside(const fs::path& root, const std::string& relative) {
  fs::path path(relative);
  if (relative.empty() || path.is_absolute()) {
    return fail("backup holds an invalid path \"" + relative + "\"", ErrorKind::kVerification);
  }
  for (const auto& part : path) {
    if (part == "..") {
      return fail("backup holds an invalid path \"" + relative + "\"", ErrorKind::kVerification);
    }
  }
  return root / path;
}

Result<fs::path> move_datadir_aside(const fs::path& target) {
  const fs::path aside = unused_aside_path(target);
  if (::rename(target.c_str(), aside.c_str()) != 0) {
    return fail(errno_message("cannot move " + target.string() + " aside to " + aside.string() +
                                  " (a mount point cannot be renamed: restore into an empty "
                                  "directory on it instead)",
                              errno));
  }
  return aside;
}

// Fetches every file on `workers` threads; the first error stops the rest.
Result<void> fetch_files(storage::Backend& backend, const repo::Manifest& manifest,
                         const fs::path& target, int workers) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<Error> first_error;
  auto work = [&] {
    for (std::size_t i = next++; i < manifest.files.size() && !failed; i = next++) {
      const auto& stored = manifest.files[i].stored;
      auto done = [&]() -> Result<void> {
        TRY(core::check_cancellation());
        TRY_ASSIGN(auto path, inside(target, stored.path));
        std::error_code error;
        fs::create_directories(path.parent_path(), error);
        if (error)
          return fail("cannot create " + path.parent_path().string() + ": " + error.message());
        return pipeline::fetch_to_file(backend, stored, path);
      }();
      if (!done) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = done.error();
        failed = true;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, workers); ++i) threads.emplace_back(work);
  work();
  for (auto& thread : threads) thread.join();
  if (first_error) return propagate(*first_error);
  return {};
}

// Hands the tree to the server's user: directories 0750, files 0640.
Result<void> set_ownership(const fs::path& target, const core::ResolvedOwner& owner) {
  auto apply = [&](const fs::path& path, mode_t mode) -> Result<void> {
    if (::lchown(path.c_str(), owner.uid, owner.gid) != 0) {
      return fail(errno_message("chown " + path.string(), errno));
    }
    if (::chmod(path.c_str(), mode) != 0)
      return fail(errno_message("chmod " + path.string(), errno));
    return {};
  };
  TRY(apply(target, 0750));
  std::error_code error;
  for (fs::recursive_directory_iterator it(target, error), end; !error && it != end;
       it.increment(error)) {
    TRY(apply(it->path(), it->is_directory(error) ? 0750 : 0640));
  }
  if (error) return fail("cannot walk " + target.string() + ": " + error.message());
  return {};
}

}  // namespace

ClearOnFailure::~ClearOnFailure() {
  if (directory_.empty()) return;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(directory_, ignored)) {
    fs::remove_all(entry.path(), ignored);
  }
}

Result<void> check_restore_owner(const core::FileOwner& owner) {
  TRY(core::resolve_owner(owner));
  return {};
}

Result<void> hand_over_datadir(const fs::path& target, const core::FileOwner& owner_spec) {
  TRY_ASSIGN(auto owner, core::resolve_owner(owner_spec));
  TRY(set_ownership(target, owner));
  return core::sync_filesystem(target);
}

Result<fs::path> resolve_restore_target(const fs::path& datadir) {
  const fs::path target = fs::absolute(datadir).lexically_normal();
  if (!target.has_filename() || target == target.root_path()) {
    return usage_error("--datadir " + datadir.string() + " cannot be a root directory");
  }
  return target;
}

// Prepares an empty target directory; returns where old content went, if anywhere.
Result<std::optional<fs::path>> prepare_restore_target(const fs::path& target, bool force) {
  std::error_code error;
  std::optional<fs::path> aside;
  if (fs::exists(target, error)) {
    if (!fs::is_directory(target, error)) {
      return usage_error(target.string() + " exists and is not a directory");
    }
    if (!fs::is_empty(target, error)) {
      if (!force) {
        return usage_error(target.string() +
                           " is not empty; restore into an empty directory, or use --force to "
                           "move the current content aside to " +
                           target.filename().string() + ".before-restore-<timestamp>");
      }
      TRY_ASSIGN(aside, move_datadir_aside(target));
      log::info("moved the previous content of " + target.string() + " to " + aside->string());
    }
  }
  fs::create_directories(target, error);
  if (error) return fail("cannot create " + target.string() + ": " + error.message());
  return aside;
}

Result<void> require_datadir_backup(const repo::Manifest& manifest) {
  if (manifest.facts.value("layout", "") == "datadir") return {};
  return usage_error(
      "backup " + manifest.set + "/" + manifest.id + " is a " +
      std::string(core::to_string(manifest.source)) + " " +
      std::string(core::to_string(manifest.method)) +
      " backup, not a datadir; --datadir restores MySQL snapshot backups" +
      (manifest.source == core::SourceKind::kSqlite ? " (use --sqlite-path FILE)" : ""));
}

Result<DatadirRestoreResult> restore_datadir(storage::Backend& backend,
                                             const repo::Manifest& manifest,
                                             const DatadirRestoreOptions& options) {
  TRY(require_datadir_backup(manifest));
  TRY(check_restore_owner(options.owner));
  TRY_ASSIGN(const fs::path target, resolve_restore_target(options.datadir));
  DatadirRestoreResult result;
  result.datadir = target;
  TRY_ASSIGN(result.previous_kept_as, prepare_restore_target(target, options.force));

  ClearOnFailure clear(target);
  log::info("restoring " + manifest.set + "/" + manifest.id + " (" +
            std::to_string(manifest.files.size()) + " files, " +
            core::format_bytes(manifest.total_size()) + ") into " + target.string());
  for (const auto& directory : manifest.facts.value("directories", nlohmann::json::array())) {
    TRY_ASSIGN(auto path, inside(target, directory.get<std::string>()));
    std::error_code error;
    fs::create_directories(path, error);
    if (error) return fail("cannot create " + path.string() + ": " + error.message());
  }
  TRY(fetch_files(backend, manifest, target, options.parallel));
  TRY(hand_over_datadir(target, options.owner));
  clear.release();
  result.files = manifest.files.size();
  result.bytes = manifest.total_size();
  log::info("restored " + std::to_string(result.files) + " files into " + target.string() +
            ", owned by " + options.owner.text());
  return result;
}

std::string binlog_basename(const repo::Manifest& manifest) {
  const auto position = repo::read_binlog_position(manifest);
  const std::string file = position ? position->binlog_file : "";
  const auto dot = file.rfind('.');
  return dot == std::string::npos ? file : file.substr(0, dot);
}

std::string describe_binlog_position(const repo::Manifest& manifest) {
  const auto recorded = repo::read_binlog_position(manifest).value_or(repo::ReplicationPosition{});
  const std::string& file = recorded.binlog_file;
  const std::uint64_t position = recorded.binlog_position;
  const std::string& gtid = recorded.gtid_binlog_pos;
  const std::string& gtid_executed = recorded.gtid_executed;
  if (!recorded.has_binlog()) {
    return "binary logging was off when backup " + manifest.id +
           " was taken: no position for point-in-time recovery\n";
  }
  std::string text = "binlog position of " + manifest.set + "/" + manifest.id + ": " + file + ":" +
                     std::to_string(position) + "\n";
  if (!gtid.empty()) text += "GTID position (gtid_binlog_pos): " + gtid + "\n";
  if (!gtid_executed.empty()) text += "GTID executed: " + gtid_executed + "\n";
  text +=
      "point-in-time recovery: after starting the restored server, replay the source's "
      "binary logs from there, e.g.\n  mariadb-binlog --start-position=" +
      std::to_string(position) + " " + file +
      " <later binlog files…> --stop-datetime='…' | mariadb\n";
  return text;
}

}  // namespace dbkeep::restore
