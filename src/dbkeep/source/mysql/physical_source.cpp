#include "dbkeep/source/mysql/physical_source.hpp"

#include <fstream>
#include <regex>
#include <sstream>

#include "dbkeep/core/child_process.hpp"
#include "dbkeep/core/fd_io.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/progress.hpp"
#include "dbkeep/core/stderr_logger.hpp"
#include "dbkeep/pipeline/counting_source.hpp"
#include "dbkeep/pipeline/read_ahead.hpp"
#include "dbkeep/repo/binlog_position.hpp"
#include "dbkeep/source/mysql/datadir_mapping.hpp"
#include "dbkeep/source/mysql/option_file.hpp"
#include "dbkeep/source/mysql/physical_tool.hpp"

namespace dbkeep::source::mysql {
namespace {

namespace fs = std::filesystem;

// The tool's stdout as a pipeline source.
class ChildStdoutSource final : public pipeline::ByteSource {
 public:
  ChildStdoutSource(core::Fd& fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  Result<std::size_t> read(std::span<std::byte> buffer) override {
    return core::read_some(fd_.get(), buffer, name_);
  }

 private:
  core::Fd& fd_;
  std::string name_;
};

Result<std::string> read_text(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return fail("the backup tool did not write " + path.string());
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// xtrabackup_info's binlog_pos: "filename 'mysql-bin.000003', position '385', GTID of the last
// change '0-1-7'" (MariaDB) or "filename 'binlog.000003', position '385'" (MySQL).
// Binary logging off (no binlog_pos line) reads as an empty position, as the other methods
// record it.
repo::ReplicationPosition binlog_position_of(const std::string& text) {
  static const std::regex pattern(
      R"(filename '([^']*)', position '(\d+)'(?:, GTID of the last change '([^']*)')?)");
  repo::ReplicationPosition position;
  std::smatch match;
  if (!std::regex_search(text, match, pattern)) return position;
  position.binlog_file = match[1].str();
  position.binlog_position = std::stoull(match[2].str());
  if (match[3].matched) position.gtid_binlog_pos = match[3].str();
  return position;
}

Error tool_failure(const std::string& what, const std::string& tail) {
  std::string message = what;
  if (!tail.empty()) message += "; its last output lines:\n" + tail;
  return Error{ErrorKind::kFailed, message};
}

}  // namespace

Result<void> PhysicalSource::prepare() {
  if (server_) return {};
  TRY_ASSIGN(connection_, resolved_connection_options(mysql_));
  TRY_ASSIGN(auto connection, Connection::connect(connection_));
  TRY_ASSIGN(auto facts, probe_server_files(connection, mysql_.datadir));
  tool_ = choose_physical_tool(facts.version.flavor, physical_.tool);
  TRY_ASSIGN(tool_path_, find_physical_tool(tool_));
  TRY_ASSIGN(tool_version_, check_tool_version(tool_path_, facts.version));
  log::info("server " + facts.version.text + "; backup tool " + tool_path_.string() + " " +
            tool_version_);
  server_ = std::move(facts);
  return {};
}

Result<SizeEstimate> PhysicalSource::estimate() {
  TRY(prepare());
  // The stream goes straight into the repository: no scratch space beyond a few small files.
  return SizeEstimate{server_->estimated_data_bytes, 0};
}

Result<std::optional<repo::Manifest>> PhysicalSource::incremental_base(
    repo::BackupSession& session) {
  if (!physical_.incremental) return std::nullopt;
  TRY_ASSIGN(auto catalog, session.repository().list(session.set()));
  for (const auto& backup : catalog.backups) {  // newest first
    if (backup.method != core::Method::kPhysical) continue;
    if (!backup.facts.contains("to_lsn")) continue;
    return backup;
  }
  log::warn("set '" + session.set() +
            "' has no physical backup to base an incremental on; taking a full backup");
  return std::nullopt;
}

Result<void> PhysicalSource::run(repo::BackupSession& session) {
  TRY(prepare());
  TRY_ASSIGN(auto base, incremental_base(session));

  auto defaults_file = scratch_dir_ / "client.cnf";
  TRY(write_defaults_file(defaults_file, connection_));
  std::vector<std::string> argv = {tool_path_.string(),
                                   "--defaults-file=" + defaults_file.string(),
                                   "--backup",
                                   "--stream=xbstream",
                                   "--target-dir=" + (scratch_dir_ / "target").string(),
                                   "--extra-lsndir=" + (scratch_dir_ / "lsn").string(),
                                   "--datadir=" + server_->server_datadir.string(),
                                   "--parallel=" + std::to_string(physical_.parallel)};
  if (base) {
    auto base_lsn = base->facts.at("to_lsn").get<std::uint64_t>();
    argv.push_back("--incremental-lsn=" + std::to_string(base_lsn));
    session.set_depends_on(base->id);
    session.facts()["base_id"] = base->id;
    log::info("incremental backup on top of " + base->id + " (from LSN " +
              std::to_string(base_lsn) + ")");
  }

  log::info("running " + tool_ +
            " --backup --stream=xbstream --parallel=" + std::to_string(physical_.parallel));
  // The tool reads the datadir at the path the server reports, whatever --datadir says; for a
  // server in a container that path shows the host's files only in a mount namespace of its own.
  TRY_ASSIGN(auto view, ServerDatadirView::prepare(*server_));
  core::SpawnOptions spawn;
  spawn.argv = view.wrap(argv);
  spawn.pipe_stdout = true;
  spawn.pipe_stderr = true;
  TRY_ASSIGN(auto child, core::ChildProcess::spawn(spawn));
  core::StderrLogger stderr_log(std::move(child.stderr_fd()), tool_);

  ChildStdoutSource output(child.stdout_fd(), tool_ + " output");
  // Drains the pipe on a thread of its own so the tool never waits while a block is compressed
  // and hashed. Every return below ends the child first, so the thread's read ends too.
  pipeline::ReadAheadSource drained(output);
  // The total is the server's estimated data size: the stream is about as large.
  core::ProgressMeter progress("streaming " + tool_, server_->estimated_data_bytes);
  pipeline::CountingSource stream(drained,
                                  [&progress](std::uint64_t bytes) { progress.add(bytes); });
  auto stored = session.store_stream(stream, kPhysicalStreamName, {{"kind", "xbstream"}});
  progress.finish();
  if (!stored) {
    child.terminate();
    stderr_log.join();
    return std::unexpected(stored.error().with_context("storing the " + tool_ + " stream failed"));
  }
  TRY_ASSIGN(auto status, child.wait());
  stderr_log.join();
  if (!status.success()) {
    return std::unexpected(
        tool_failure(tool_ + " failed (" + status.describe() + ")", stderr_log.tail()));
  }
  return record_metadata(session);
}

Result<void> PhysicalSource::record_metadata(repo::BackupSession& session) {
  auto lsn_dir = scratch_dir_ / "lsn";
  TRY_ASSIGN(auto checkpoints_text, read_text(lsn_dir / "xtrabackup_checkpoints"));
  TRY_ASSIGN(auto checkpoints, parse_checkpoints(checkpoints_text, "xtrabackup_checkpoints"));
  auto& facts = session.facts();
  facts["tool"] = tool_;
  facts["tool_version"] = tool_version_;
  facts["server_version"] = server_->version.text;
  facts["server_flavor"] = std::string(flavor_name(server_->version.flavor));
  facts["backup_type"] = facts.contains("base_id") ? "incremental" : "full";
  repo::record_tables(facts, server_->tables);
  facts["from_lsn"] = checkpoints.from_lsn;
  facts["to_lsn"] = checkpoints.to_lsn;      // the next incremental starts here
  facts["last_lsn"] = checkpoints.last_lsn;  // end of the redo copied
  repo::ReplicationPosition position;
  if (auto info = read_text(lsn_dir / "xtrabackup_info")) {
    auto values = parse_key_values(*info);
    if (values.contains("binlog_pos")) position = binlog_position_of(values["binlog_pos"]);
  }
  position.server_id = server_->server_id;
  position.server_uuid = server_->server_uuid;
  repo::record_binlog_position(facts, position);
  log::info(std::string(facts["backup_type"]) + " physical backup: LSN " +
            std::to_string(checkpoints.from_lsn) + " to " + std::to_string(checkpoints.to_lsn));
  return {};
}

}  // namespace dbkeep::source::mysql
