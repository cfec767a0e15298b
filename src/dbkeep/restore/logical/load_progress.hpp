#pragma once
// The record of an interrupted `restore --to-server`, so `--resume` continues it instead of
// starting over. One file per backup and target under <state_dir>/loads/ (mode 0600), named
// <set>-<id>-<hash of target and renames>.progress:
//
//   dbkeep-load-progress 1 <set>/<id> <target>      header, written when the load starts
//   table <path>       the table of this schema file was created
//   begin <path>       a data chunk's transaction is about to start (its state is now unknown)
//   chunk <path>       that chunk's transaction committed
//   indexes <path>     the deferred secondary indexes of this table exist
//   objects <path>     this routines/views/triggers/events file ran
//
// Each line is appended and fsynced before the load goes on, so after a kill -9 the file names
// every finished step. A chunk with `begin` but no `chunk` is "in doubt": it may or may not have
// committed (jobs/in_doubt_chunks.hpp decides). A torn last line is ignored. The file is locked
// (flock) while a load uses it and removed when the load succeeds.

#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/fd.hpp"

namespace dbkeep::restore::logical {

class LoadProgress {
 public:
  // <directory>/<set>-<id>-<16 hex digits of SHA-256(target)>.progress
  static std::filesystem::path path_for(const std::filesystem::path& directory,
                                        const std::string& set, const std::string& id,
                                        const std::string& target);

  // Opens (creating it empty when missing) and locks the file, and reads what it records.
  // Another load holding the lock is an error of kind kLocked.
  static Result<LoadProgress> open(const std::filesystem::path& path);

  LoadProgress(LoadProgress&&) noexcept;
  LoadProgress& operator=(LoadProgress&&) noexcept;
  ~LoadProgress();

  // The header line read from the file, empty when the file was new or empty.
  [[nodiscard]] const std::string& header() const { return header_; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  // Empties the file and writes `header` (a new load).
  Result<void> start(const std::string& header);

  // Whether "verb key" was recorded (for chunks: committed).
  [[nodiscard]] bool done(std::string_view verb, const std::string& key) const;
  // A chunk whose transaction began but was not recorded as committed.
  [[nodiscard]] bool in_doubt(const std::string& chunk) const;

  // Appends "verb key" and fsyncs it. Thread-safe.
  Result<void> record(std::string_view verb, const std::string& key);

  // Removes the file (the load finished).
  Result<void> remove();

 private:
  LoadProgress() = default;
  void apply(std::string_view line);

  std::filesystem::path path_;
  core::Fd fd_;
  std::string header_;
  std::set<std::string> done_;      // "verb key"
  std::set<std::string> in_doubt_;  // chunk paths
  std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
};

}  // namespace dbkeep::restore::logical
