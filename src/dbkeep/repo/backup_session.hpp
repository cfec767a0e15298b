#pragma once
// One backup being written. Sources store files through it; commit() writes the manifest last.
// A session destroyed without commit() removes what it stored (best effort); anything it could
// not remove has no manifest, so it is never listed and the next run of the set removes it.
// store_* may be called from several threads at once.

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/repo/manifest.hpp"
#include "dbkeep/repo/repository.hpp"

namespace dbkeep::repo {

struct SessionOptions {
  pipeline::CodecOptions codec;
  int parallel = 2;  // files stored concurrently by store_files()
};

class BackupSession {
 public:
  // `draft` carries id, set, source, method, started_at; the session fills in the rest.
  BackupSession(Repository& repository, Manifest draft, SessionOptions options);
  BackupSession(const BackupSession&) = delete;
  BackupSession& operator=(const BackupSession&) = delete;
  ~BackupSession();

  [[nodiscard]] const std::string& id() const { return manifest_.id; }
  [[nodiscard]] const std::string& set() const { return manifest_.set; }

  Result<void> store_file(const std::filesystem::path& file, const std::string& path,
                          nlohmann::json attributes = nlohmann::json::object());
  Result<void> store_stream(pipeline::ByteSource& source, const std::string& path,
                            nlohmann::json attributes = nlohmann::json::object());
  // Stores (file, path) pairs on `parallel` threads. `on_progress` (optional) is called from
  // the worker threads with the plaintext bytes just stored (e.g. core::ProgressMeter::add).
  Result<void> store_files(const std::vector<std::pair<std::filesystem::path, std::string>>& files,
                           const std::function<void(std::uint64_t)>& on_progress = {});

  // Merges `extra` into the attributes of the stored file `path` (e.g. a row count known only
  // once the file's stream has ended). Does nothing when no such file was stored.
  void annotate(const std::string& path, const nlohmann::json& extra);

  // Source-specific facts recorded in the manifest (lock time, positions, row counts…).
  nlohmann::json& facts() { return manifest_.facts; }
  // For an incremental backup: the backup it is based on (recorded as depends_on).
  void set_depends_on(std::string base_id) { manifest_.depends_on = std::move(base_id); }
  // The repository this backup goes into (an incremental source looks up its base there).
  Repository& repository() { return repository_; }

  // Writes the manifest; from here on the backup exists.
  Result<Manifest> commit();

 private:
  std::string stored_key(const std::string& path) const;
  void add(pipeline::StoredFile stored, nlohmann::json attributes);

  Repository& repository_;
  Manifest manifest_;
  SessionOptions options_;
  std::chrono::steady_clock::time_point started_steady_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  bool committed_ = false;
};

}  // namespace dbkeep::repo
