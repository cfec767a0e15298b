// `dbkeep open ID [--socket PATH] [--to-time T | --to-gtid G | --to-latest]` (docs/open.md):
// a backup brought up read-only in private scratch space so a person can look at it before
// restoring. MySQL: a scratch server (restore/scratch_restore, the restore drill's steps) on
// the restored or loaded data, rolled forward when a target is given, shut down cleanly and
// restarted read-only; SQLite: a 0400 copy. It stays until SIGINT/SIGTERM; then the server is
// killed and the scratch directory removed, as on every failure before that (RAII).

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <thread>

#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/restore_flags.hpp"
#include "dbkeep/cli/restore_point_in_time.hpp"
#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/free_space.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/temp_dir.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/restore/restored_server.hpp"
#include "dbkeep/restore/scratch_claim.hpp"
#include "dbkeep/restore/scratch_restore.hpp"
#include "dbkeep/restore/scratch_server.hpp"

namespace dbkeep::cli {
namespace {
namespace fs = std::filesystem;

std::string bytes_text(std::uint64_t bytes) {
  return std::to_string(bytes) + " bytes (" + core::format_bytes(bytes) + ")";
}

// Refused before anything is fetched, naming both numbers.
Result<void> check_scratch_space(const fs::path& temp_dir, std::uint64_t needed) {
  TRY_ASSIGN(auto free, core::filesystem_free_bytes(temp_dir));
  log::debug("opening needs " + bytes_text(needed) + " in " + temp_dir.string() + ", " +
             bytes_text(free) + " free");
  if (free < needed) {
    return fail("not enough free space to open the backup in " + temp_dir.string() + ": it needs " +
                bytes_text(needed) + ", " + bytes_text(free) +
                " are free (set [repository] temp_dir to a larger filesystem)");
  }
  return {};
}

// A --socket the user chose: absolute, in an existing directory, nothing there yet (another
// server's socket must not be taken over, nor removed when we close).
Result<fs::path> chosen_socket(const std::string& text) {
  std::error_code error;
  fs::path socket = fs::absolute(text, error);
  if (error) return usage_error("--socket " + text + ": " + error.message());
  if (!fs::is_directory(socket.parent_path(), error)) {
    return usage_error("--socket " + text + ": the directory " + socket.parent_path().string() +
                       " does not exist");
  }
  if (fs::exists(fs::symlink_status(socket, error))) {
    return usage_error("--socket " + text + ": something is already there; choose a new path");
  }
  return socket;
}

// Until SIGINT/SIGTERM. A server that ends on its own ends the wait with an error.
Result<void> wait_until_closed(const restore::ScratchServer* server) {
  while (!core::cancellation_requested()) {
    // A terminal's Ctrl-C reaches the server too (same process group): a server gone after
    // the signal is the close, not a failure.
    if (server != nullptr && server->exited() && !core::cancellation_requested()) {
      return fail("the read-only server stopped on its own; " + server->error_log().string() +
                  " ends with:\n" + restore::file_tail(server->error_log()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  log::info("closing: the opened backup and its scratch directory are removed");
  return {};
}

std::string describe_backup(const repo::Manifest& manifest) {
  return manifest.set + "/" + manifest.id + " (" + std::string(core::to_string(manifest.method)) +
         ", taken " + core::format_iso_utc(manifest.started_at) + ")";
}

// The ready line: one JSON line (--json), or the human text; flushed, as a script or test
// reads stdout up to it.
void announce(CommandContext& context, const nlohmann::json& document, const std::string& text) {
  if (!context.global().json) return context.print(text);
  const std::string line = document.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

nlohmann::json backup_json(const repo::Manifest& manifest) {
  return {{"id", manifest.id},
          {"set", manifest.set},
          {"method", std::string(core::to_string(manifest.method))},
          {"taken_at", core::format_iso_utc(manifest.started_at)},
          {"read_only", true}};
}

Result<int> open_sqlite(CommandContext& context, repo::Repository& repository,
                        const repo::Manifest& manifest, const fs::path& scratch) {
  if (manifest.files.empty()) return fail("backup " + manifest.id + " holds no database file");
  fs::path database;
  for (const auto& file : manifest.files) {
    TRY(core::check_cancellation());
    auto copy = scratch / fs::path(file.stored.path).filename();
    TRY(pipeline::fetch_to_file(repository.backend(), file.stored, copy));
    if (::chmod(copy.c_str(), 0400) != 0)
      return fail(errno_message("chmod " + copy.string(), errno));
    if (database.empty()) database = copy;
  }
  TRY(core::check_cancellation());
  const std::string command = "sqlite3 -readonly " + database.string();
  auto document = backup_json(manifest);
  document["path"] = database.string();
  document["command"] = command;
  document["scratch"] = scratch.string();
  announce(context, document,
           "opened " + describe_backup(manifest) + " read-only\n  path     " + database.string() +
               "\n  command  " + command + "\npress Ctrl-C to close (the copy is then removed)\n");
  TRY(wait_until_closed(nullptr));
  return 0;
}

struct MysqlOpenRequest {
  std::optional<fs::path> socket;
  const PointInTimePlan* point_in_time = nullptr;
  const PreparedReplay* replay = nullptr;
};

Result<int> open_mysql(CommandContext& context, repo::Repository& repository,
                       const repo::Manifest& manifest, const fs::path& scratch,
                       const MysqlOpenRequest& request) {
  TRY_ASSIGN(const auto* config, context.config());
  restore::ScratchRestoreOptions options{config->verify.server_binary};
  if (auto found = config->find_set(manifest.set)) options.owner = (*found)->restore.owner;
  options.access = restore::ScratchAccess::kPrivate;
  TRY_ASSIGN(const auto target, restore::prepare_scratch(manifest, options, scratch));
  TRY(restore::materialize(repository, manifest, target));
  {
    // Writable first: crash recovery, the logical load and the roll-forward change the data.
    TRY_ASSIGN(auto server, restore::ScratchServer::start(target.server));
    TRY(restore::load(repository, manifest, target, *server));
    if (request.replay != nullptr) {
      archive::ApplyOptions apply;
      apply.load_grant_tables_first = true;
      TRY(apply_roll_forward(*request.replay, server->connection_options(), apply));
    }
    TRY(server->shutdown());
  }
  auto read_only = target.server;
  read_only.read_only = true;
  read_only.log_bin.clear();  // shut down cleanly: nothing to recover, nothing to log
  if (request.socket) read_only.socket = *request.socket;
  TRY_ASSIGN(auto server, restore::ScratchServer::start(read_only));
  TRY(core::check_cancellation());

  const std::string command = "mariadb --socket=" + server->socket().string();
  auto document = backup_json(manifest);
  document["socket"] = server->socket().string();
  document["command"] = command;
  document["datadir"] = target.datadir.string();
  document["pid"] = server->pid();
  std::string moment = "as backed up";
  if (request.point_in_time != nullptr && request.replay != nullptr) {
    document["target"] = request.point_in_time->target.describe();
    document["rolled_forward"] = replayed_to_json(request.replay->range);
    moment = "at " + request.point_in_time->target.describe() + ", " +
             describe_replayed(request.replay->range);
  } else {
    moment += "\n";
  }
  announce(context, document,
           "opened " + describe_backup(manifest) + " read-only, " + moment + "  socket   " +
               server->socket().string() + "\n  command  " + command + "\n  datadir  " +
               target.datadir.string() + " (server pid " + std::to_string(server->pid()) +
               ")\npress Ctrl-C to close (the server is stopped and its files removed)\n");
  TRY(wait_until_closed(server.get()));
  return 0;
}

}  // namespace

Result<int> open_command(CommandContext& context) {
  TRY_ASSIGN(auto set, context.args().option("--set"));
  TRY_ASSIGN(auto socket_flag, context.args().option("--socket"));
  TRY_ASSIGN(auto target, replay_target_from_flags(context.args()));
  auto ids = context.args().positionals();
  TRY(context.args().expect_empty("open"));
  if (ids.size() > 1 || (ids.empty() && !target)) {
    return usage_error(
        "dbkeep open needs one backup ID (or 'latest'); with --to-time, --to-gtid or "
        "--to-latest, --set NAME instead picks the base");
  }
  TRY_ASSIGN(const auto* config, context.config());
  TRY_ASSIGN(auto* repository, context.repository());

  std::optional<PointInTimePlan> point_in_time;
  repo::Manifest manifest;
  if (target) {
    std::optional<std::string> id;
    if (!ids.empty()) id = ids.front();
    TRY_ASSIGN(point_in_time, plan_point_in_time(context, id, set, *target));
    manifest = point_in_time->base;
  } else {
    TRY_ASSIGN(manifest, find_backup(context, ids.front(), set));
  }
  MysqlOpenRequest request;
  if (socket_flag) {
    if (manifest.source == core::SourceKind::kSqlite) {
      return usage_error("--socket is for MySQL backups; an SQLite backup opens as a file");
    }
    TRY_ASSIGN(request.socket, chosen_socket(*socket_flag));
  }

  const fs::path& temp_dir = config->repository.temp_dir;
  TRY_ASSIGN(auto needed, restore::scratch_bytes_needed(*repository, manifest));
  TRY(check_scratch_space(temp_dir, needed));

  // Segments are fetched and checked before the base: a broken archive refuses the open with
  // nothing restored (the replay has its own space check, in the state directory).
  std::optional<PreparedReplay> replay;
  if (point_in_time) {
    TRY_ASSIGN(replay, prepare_roll_forward(context, *point_in_time));
    request.point_in_time = &*point_in_time;
    request.replay = &*replay;
  }
  log::info("opening " + describe_backup(manifest) + " read-only in " + temp_dir.string());
  restore::reclaim_abandoned_scratch(temp_dir, "dbkeep-open-");
  TRY_ASSIGN(auto scratch, restore::ClaimedScratch::create(temp_dir, "dbkeep-open-"));
  if (manifest.source == core::SourceKind::kSqlite) {
    return open_sqlite(context, *repository, manifest, scratch.path());
  }
  return open_mysql(context, *repository, manifest, scratch.path(), request);
}

}  // namespace dbkeep::cli
