#include "dbkeep/restore/scratch_restore.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "dbkeep/core/command_runner.hpp"
#include "dbkeep/core/free_space.hpp"
#include "dbkeep/core/method.hpp"
#include "dbkeep/restore/datadir_restore.hpp"
#include "dbkeep/restore/logical/logical_restore.hpp"
#include "dbkeep/restore/method_restore.hpp"
#include "dbkeep/restore/physical_restore.hpp"

namespace dbkeep::restore {
namespace fs = std::filesystem;
namespace {

Result<void> initialise_empty_datadir(const fs::path& server_binary, const fs::path& datadir,
                                      const core::FileOwner& owner) {
  TRY_ASSIGN(auto install, find_install_db_binary(server_binary));
  TRY_ASSIGN(const auto user, core::server_user(owner));
  std::error_code error;
  fs::create_directories(datadir, error);
  if (error) return fail("cannot create " + datadir.string() + ": " + error.message());
  TRY(hand_over_datadir(datadir, owner));
  core::SystemCommandRunner runner;
  core::Command command{{install.string(), "--no-defaults", "--user=" + user,
                         "--datadir=" + datadir.string(), "--skip-test-db",
                         "--auth-root-authentication-method=socket"}};
  command.timeout = std::chrono::seconds(300);
  TRY(core::run_checked(runner, command));
  return {};
}

// The server runs as its account and must reach its datadir and runtime directory.
Result<void> open_scratch_to(const fs::path& scratch, const core::FileOwner& owner,
                             ScratchAccess access) {
  if (access == ScratchAccess::kShared) {
    if (::chmod(scratch.c_str(), 0755) != 0) {
      return fail(errno_message("chmod " + scratch.string(), errno));
    }
    return {};
  }
  TRY_ASSIGN(auto ids, core::resolve_owner(owner));
  if (::chown(scratch.c_str(), ids.uid, ids.gid) != 0 || ::chmod(scratch.c_str(), 0700) != 0) {
    return fail(errno_message("handing " + scratch.string() + " to " + owner.text(), errno));
  }
  return {};
}

}  // namespace

bool loads_into_server(const repo::Manifest& manifest) {
  return core::method_traits(manifest.method).restore_target == core::RestoreTarget::kServer;
}

Result<ScratchTarget> prepare_scratch(const repo::Manifest& manifest,
                                      const ScratchRestoreOptions& options,
                                      const fs::path& scratch) {
  TRY_ASSIGN(auto binary, find_server_binary(options.server_binary));
  TRY_ASSIGN(const auto account, core::server_user(options.owner));
  TRY(open_scratch_to(scratch, options.owner, options.access));
  ScratchTarget target{scratch, scratch / "data", options.owner,
                       ScratchServerOptions{binary, scratch / "data", scratch / "run", account},
                       options.workers};
  target.server.log_bin = crash_recovery_log_bin(manifest);
  return target;
}

Result<void> materialize(repo::Repository& repository, const repo::Manifest& manifest,
                         const ScratchTarget& target) {
  if (loads_into_server(manifest)) {
    return initialise_empty_datadir(target.server.binary, target.datadir, target.owner);
  }
  TRY(restore_to_datadir(repository, manifest, {target.datadir, false, target.owner}));
  return {};
}

Result<void> load(repo::Repository& repository, const repo::Manifest& manifest,
                  const ScratchTarget& target, const ScratchServer& server) {
  if (!loads_into_server(manifest)) return {};
  logical::LogicalRestoreOptions options{server.connection_options()};
  options.workers = target.workers;
  TRY(logical::restore_logical(repository.backend(), manifest, options));
  return {};
}

Result<std::uint64_t> scratch_bytes_needed(repo::Repository& repository,
                                           const repo::Manifest& manifest) {
  std::uint64_t needed = core::kFreeSpaceMargin;
  if (manifest.method == core::Method::kPhysical) {
    TRY_ASSIGN(auto chain, physical_chain(repository, manifest));
    for (const auto& backup : chain) needed += backup.total_size();
    return needed;
  }
  needed += manifest.total_size();
  if (loads_into_server(manifest)) needed += kEmptyServerBytes;
  return needed;
}

}  // namespace dbkeep::restore
