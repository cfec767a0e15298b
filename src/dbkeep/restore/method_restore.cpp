#include "dbkeep/restore/method_restore.hpp"

#include "dbkeep/restore/datadir_restore.hpp"
#include "dbkeep/restore/physical_restore.hpp"

namespace dbkeep::restore {
namespace {

Result<DatadirOutcome> fetch_datadir(repo::Repository& repository, const repo::Manifest& manifest,
                                     const DatadirRequest& request) {
  TRY_ASSIGN(auto restored, restore_datadir(repository.backend(), manifest,
                                            {request.datadir, request.force, request.owner}));
  return DatadirOutcome{.datadir = restored.datadir,
                        .previous_kept_as = restored.previous_kept_as,
                        .files = restored.files,
                        .bytes = restored.bytes};
}

Result<DatadirOutcome> prepare_physical(repo::Repository& repository,
                                        const repo::Manifest& manifest,
                                        const DatadirRequest& request) {
  TRY_ASSIGN(auto restored, restore_physical(repository, manifest,
                                             {request.datadir, request.force, request.owner}));
  return DatadirOutcome{.datadir = restored.datadir,
                        .previous_kept_as = restored.previous_kept_as,
                        .chain = restored.chain};
}

}  // namespace

std::string_view restore_flag(core::RestoreTarget target) {
  switch (target) {
    case core::RestoreTarget::kSqliteFile:
      return "--sqlite-path FILE";
    case core::RestoreTarget::kDatadir:
      return "--datadir DIR";
    case core::RestoreTarget::kServer:
      return "--to-server";
  }
  return "";
}

Result<void> require_restore_target(const repo::Manifest& manifest, core::RestoreTarget target) {
  const auto& traits = core::method_traits(manifest.method);
  if (traits.restore_target == target) return {};
  return usage_error("backup " + manifest.set + "/" + manifest.id + " is a " +
                     std::string(core::to_string(manifest.source)) + " " +
                     std::string(traits.name) + " backup; " + std::string(restore_flag(target)) +
                     " does not restore it (use " +
                     std::string(restore_flag(traits.restore_target)) + ")");
}

Result<DatadirOutcome> restore_to_datadir(repo::Repository& repository,
                                          const repo::Manifest& manifest,
                                          const DatadirRequest& request) {
  TRY(require_restore_target(manifest, core::RestoreTarget::kDatadir));
  switch (manifest.method) {
    case core::Method::kSnapshot:
      return fetch_datadir(repository, manifest, request);
    case core::Method::kPhysical:
      return prepare_physical(repository, manifest, request);
    case core::Method::kOnline:
    case core::Method::kLogical:
      break;
  }
  return usage_error("backup " + manifest.id + " cannot be restored into a datadir");
}

std::string crash_recovery_log_bin(const repo::Manifest& manifest) {
  if (!core::method_traits(manifest.method).needs_crash_recovery) return "";
  return binlog_basename(manifest);
}

}  // namespace dbkeep::restore
