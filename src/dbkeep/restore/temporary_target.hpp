#pragma once
// A file that appears under its final name only when it is complete: it is written as
// ".<name>.<tag>-<pid>" in the target's directory and renamed over the target by commit().
// Until then the destructor removes it, so a failed or cancelled run leaves nothing that looks
// finished. The writer holds a lock on the temporary file (core/abandoned_files), so one left by
// a killed run (kill -9, a second Ctrl-C) is removed by the next run writing the same target.

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "dbkeep/core/error.hpp"
#include "dbkeep/core/fd.hpp"

namespace dbkeep::restore {

class TemporaryTarget {
 public:
  // Removes abandoned temporaries of `target` (same name and tag, no lock held), then creates
  // and claims a new one with permissions `mode` (less the umask). `target` is made absolute; its
  // directory must exist (a kUsage error otherwise).
  static Result<TemporaryTarget> create(const std::filesystem::path& target, std::string_view tag,
                                        mode_t mode);
  TemporaryTarget(TemporaryTarget&& other) noexcept;
  TemporaryTarget& operator=(TemporaryTarget&&) = delete;
  TemporaryTarget(const TemporaryTarget&) = delete;
  TemporaryTarget& operator=(const TemporaryTarget&) = delete;
  ~TemporaryTarget();

  [[nodiscard]] const std::filesystem::path& path() const { return temp_; }
  [[nodiscard]] const std::filesystem::path& target() const { return target_; }
  // The claimed descriptor, open for writing.
  [[nodiscard]] int fd() const { return claim_.get(); }

  // fsyncs the file, renames it over the target and fsyncs the directory. After a failure
  // the temporary file is still removed by the destructor.
  Result<void> commit();

 private:
  TemporaryTarget(std::filesystem::path target, std::filesystem::path temp, core::Fd claim)
      : target_(std::move(target)), temp_(std::move(temp)), claim_(std::move(claim)) {}

  std::filesystem::path target_;
  std::filesystem::path temp_;  // empty once committed or moved from
  core::Fd claim_;
};

}  // namespace dbkeep::restore
