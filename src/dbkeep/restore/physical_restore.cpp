#include "dbkeep/restore/physical_restore.hpp"

#include <algorithm>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/free_space.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/stderr_logger.hpp"
#include "dbkeep/core/temp_dir.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/pipeline/store.hpp"
#include "dbkeep/restore/datadir_restore.hpp"

namespace dbkeep::restore {
namespace {

namespace fs = std::filesystem;

// Writes into a child's stdin.
class ChildStdinSink final : public pipeline::ByteSink {
 public:
  ChildStdinSink(core::Fd& fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  Result<void> write(std::span<const std::byte> data) override {
    return core::write_fully(fd_.get(), data, name_);
  }
  Result<void> finish() override {
    fd_.reset();  // end of stream for the child
    return {};
  }

 private:
  core::Fd& fd_;
  std::string name_;
};

// Waits for `child`; a failure carries its last stderr lines.
Result<void> finish_child(core::ChildProcess& child, core::StderrLogger& stderr_log,
                          const std::string& what) {
  TRY_ASSIGN(auto status, child.wait());
  stderr_log.join();
  if (status.success()) return {};
  std::string message = what + " failed (" + status.describe() + ")";
  if (auto tail = stderr_log.tail(); !tail.empty()) message += "; its last output lines:\n" + tail;
  return fail(message);
}

Result<void> run_tool(const std::vector<std::string>& argv, const std::string& what) {
  log::info(what);
  TRY_ASSIGN(auto child, core::ChildProcess::spawn({.argv = argv, .pipe_stderr = true}));
  core::StderrLogger stderr_log(std::move(child.stderr_fd()), argv.front());
  return finish_child(child, stderr_log, what);
}

// Streams one backup's xbstream object into `mbstream -x -C directory`.
Result<void> unpack(storage::Backend& backend, const repo::Manifest& backup,
                    const std::string& extractor, const fs::path& directory) {
  auto stream = std::find_if(backup.files.begin(), backup.files.end(), [](const auto& file) {
    return file.stored.path == "backup.xbstream";
  });
  if (stream == backup.files.end()) {
    return fail("backup " + backup.id + " has no backup.xbstream; it is not a physical backup");
  }
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return fail("cannot create " + directory.string() + ": " + error.message());
  log::info("unpacking " + backup.set + "/" + backup.id + " (" +
            core::format_bytes(stream->stored.size) + ")");
  TRY_ASSIGN(auto child,
             core::ChildProcess::spawn({.argv = {extractor, "-x", "-C", directory.string()},
                                        .pipe_stdin = true,
                                        .pipe_stderr = true}));
  core::StderrLogger stderr_log(std::move(child.stderr_fd()), extractor);
  ChildStdinSink sink(child.stdin_fd(), extractor + " input");
  auto fetched = pipeline::fetch_stream(backend, stream->stored, sink);
  auto finished = finish_child(child, stderr_log, extractor + " -x of " + backup.id);
  TRY(fetched);
  return finished;
}

// --prepare of the full backup, then each incremental applied onto it in order.
Result<void> prepare(const std::string& tool, const fs::path& base,
                     const std::vector<fs::path>& incrementals) {
  const auto commands = prepare_commands(tool, base, incrementals);
  for (std::size_t step = 0; step < commands.size(); ++step) {
    TRY(run_tool(commands[step],
                 step == 0 ? tool + " --prepare of the full backup"
                           : tool + " --prepare applying incremental " + std::to_string(step)));
  }
  return {};
}

Result<void> move_contents(const fs::path& from, const fs::path& to) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(from, error)) {
    fs::rename(entry.path(), to / entry.path().filename(), error);
    if (error) return fail("cannot move " + entry.path().string() + ": " + error.message());
  }
  if (error) return fail("cannot read " + from.string() + ": " + error.message());
  return {};
}

}  // namespace

std::vector<std::vector<std::string>> prepare_commands(const std::string& tool,
                                                       const fs::path& base,
                                                       const std::vector<fs::path>& incrementals) {
  std::vector<std::vector<std::string>> commands;
  for (std::size_t step = 0; step <= incrementals.size(); ++step) {
    std::vector<std::string> argv = {tool, "--no-defaults", "--prepare",
                                     "--target-dir=" + base.string()};
    if (tool == "xtrabackup" && step < incrementals.size()) argv.push_back("--apply-log-only");
    if (step > 0) argv.push_back("--incremental-dir=" + incrementals[step - 1].string());
    commands.push_back(std::move(argv));
  }
  return commands;
}

Result<std::vector<repo::Manifest>> physical_chain(repo::Repository& repository,
                                                   const repo::Manifest& last) {
  std::vector<repo::Manifest> chain = {last};
  while (chain.back().depends_on) {
    const std::string base_id = *chain.back().depends_on;
    if (chain.size() > 10000) return fail("the incremental chain of " + last.id + " loops");
    auto base = repository.find(base_id, last.set);
    if (!base) {
      return fail("backup " + chain.back().id + " needs " + base_id +
                  ", which is not in the repository: the chain cannot be restored");
    }
    chain.push_back(std::move(*base));
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

Result<PhysicalRestoreResult> restore_physical(repo::Repository& repository,
                                               const repo::Manifest& manifest,
                                               const PhysicalRestoreOptions& options) {
  if (manifest.method != core::Method::kPhysical) {
    return usage_error("backup " + manifest.id + " was taken with method '" +
                       std::string(core::to_string(manifest.method)) + "', not physical");
  }
  TRY_ASSIGN(auto chain, physical_chain(repository, manifest));
  const std::string tool = manifest.facts.value("tool", std::string("mariabackup"));
  const std::string extractor = tool == "xtrabackup" ? "xbstream" : "mbstream";

  TRY(check_restore_owner(options.owner));
  PhysicalRestoreResult result;
  TRY_ASSIGN(result.datadir, resolve_restore_target(options.datadir));
  TRY_ASSIGN(result.previous_kept_as, prepare_restore_target(result.datadir, options.force));

  // Unpacked streams plus the prepared result need about the chain's plaintext size.
  std::uint64_t needed = core::kFreeSpaceMargin;
  for (const auto& backup : chain) needed += backup.total_size();
  TRY_ASSIGN(auto free_bytes, core::filesystem_free_bytes(result.datadir));
  if (free_bytes < needed) {
    return fail("not enough free space in " + result.datadir.string() +
                " to unpack and prepare: " + core::format_bytes(needed) + " needed, " +
                core::format_bytes(free_bytes) + " free");
  }

  ClearOnFailure clear(result.datadir);  // declared first: runs after the staging dir is gone
  TRY_ASSIGN(auto staging, core::TempDir::create(result.datadir, ".dbkeep-restore-"));
  std::vector<fs::path> incrementals;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    auto directory = staging.path() / std::to_string(i);
    TRY(unpack(repository.backend(), chain[i], extractor, directory));
    if (i > 0) incrementals.push_back(directory);
    result.chain.push_back(chain[i].id);
  }
  TRY(prepare(tool, staging.path() / "0", incrementals));
  TRY(move_contents(staging.path() / "0", result.datadir));
  TRY(hand_over_datadir(result.datadir, options.owner));
  clear.release();
  return result;
}

}  // namespace dbkeep::restore
