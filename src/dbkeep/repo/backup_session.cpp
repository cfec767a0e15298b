#include "dbkeep/repo/backup_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "dbkeep/core/log.hpp"
#include "dbkeep/core/version.hpp"

namespace dbkeep::repo {
namespace {

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

}  // namespace

BackupSession::BackupSession(Repository& repository, Manifest draft, SessionOptions options)
    : repository_(repository), manifest_(std::move(draft)), options_(options) {
  manifest_.tool_version = core::kVersion;
  manifest_.host = host_name();
}

BackupSession::~BackupSession() {
  if (committed_) return;
  auto prefix = Repository::backup_prefix(manifest_.set, manifest_.id);
  if (auto removed = repository_.backend().remove_prefix(prefix); !removed) {
    log::warn("could not remove the incomplete backup " + prefix + " (" + removed.error().message +
              "); the next run of set '" + manifest_.set + "' will remove it");
  }
}

std::string BackupSession::stored_key(const std::string& path) const {
  if (auto hidden = repository_.backend().hidden_name(path)) {
    return Repository::data_key(manifest_.set, manifest_.id, *hidden);
  }
  return Repository::data_key(manifest_.set, manifest_.id, path) +
         std::string(pipeline::codec_extension(options_.codec.codec));
}

void BackupSession::add(pipeline::StoredFile stored, nlohmann::json attributes) {
  stored.encrypted = repository_.backend().encrypts_contents();
  std::lock_guard lock(mutex_);
  manifest_.files.push_back(ManifestFile{std::move(stored), std::move(attributes)});
}

Result<void> BackupSession::store_file(const std::filesystem::path& file, const std::string& path,
                                       nlohmann::json attributes) {
  TRY_ASSIGN(auto stored, pipeline::store_file(file, repository_.backend(), path, stored_key(path),
                                               options_.codec));
  add(std::move(stored), std::move(attributes));
  return {};
}

Result<void> BackupSession::store_stream(pipeline::ByteSource& source, const std::string& path,
                                         nlohmann::json attributes) {
  TRY_ASSIGN(auto stored, pipeline::store_stream(source, repository_.backend(), path,
                                                 stored_key(path), options_.codec));
  add(std::move(stored), std::move(attributes));
  return {};
}

void BackupSession::annotate(const std::string& path, const nlohmann::json& extra) {
  std::lock_guard lock(mutex_);
  for (auto& file : manifest_.files) {
    if (file.stored.path == path) file.attributes.update(extra);
  }
}

Result<void> BackupSession::store_files(
    const std::vector<std::pair<std::filesystem::path, std::string>>& files,
    const std::function<void(std::uint64_t)>& on_progress) {
  std::vector<pipeline::StoreJob> jobs;
  jobs.reserve(files.size());
  for (const auto& [file, path] : files) jobs.push_back({file, path, stored_key(path)});
  TRY_ASSIGN(auto stored,
             pipeline::store_files_parallel(jobs, repository_.backend(), options_.codec,
                                            options_.parallel, on_progress));
  for (auto& one : stored) add(std::move(one), nlohmann::json::object());
  return {};
}

Result<Manifest> BackupSession::commit() {
  auto finished = std::chrono::system_clock::now();
  manifest_.finished_at = std::chrono::floor<std::chrono::seconds>(finished);
  manifest_.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started_steady_)
                              .count();
  std::sort(
      manifest_.files.begin(), manifest_.files.end(),
      [](const ManifestFile& a, const ManifestFile& b) { return a.stored.path < b.stored.path; });
  TRY(repository_.commit(manifest_));
  committed_ = true;
  return manifest_;
}

}  // namespace dbkeep::repo
